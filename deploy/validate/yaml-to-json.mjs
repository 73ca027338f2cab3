// Prints a YAML file's documents as one JSON array, for the deploy specs to read what docker-compose config and
// kubectl kustomize render. Usage: node yaml-to-json.mjs <file.yaml>
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const docs = parseAllDocuments(readFileSync(process.argv[2], "utf8")).map(d => d.toJSON()).filter(Boolean);
process.stdout.write(JSON.stringify(docs));

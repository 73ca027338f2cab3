// Checks every object kubectl kustomize renders from deploy/k8s against its schema, offline: Kubernetes and KEDA
// objects through their typed models (kubernetes-models, @kubernetes-models/keda), RabbitmqCluster with ajv-cli
// against the schema committed in schemas/. An object of any other kind fails: add its model here first.
// Usage: node validate-manifests.mjs <rendered.yaml>
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import * as core from "kubernetes-models/v1";
import * as apps from "kubernetes-models/apps/v1";
import * as policy from "kubernetes-models/policy/v1";
import * as keda from "@kubernetes-models/keda/keda.sh/v1alpha1";

const here = dirname(fileURLToPath(import.meta.url));
const models = {
  "v1/Namespace": core.Namespace,
  "v1/ConfigMap": core.ConfigMap,
  "v1/Secret": core.Secret,
  "v1/Service": core.Service,
  "v1/PersistentVolumeClaim": core.PersistentVolumeClaim,
  "apps/v1/Deployment": apps.Deployment,
  "policy/v1/PodDisruptionBudget": policy.PodDisruptionBudget,
  "keda.sh/v1alpha1/ScaledObject": keda.ScaledObject,
  "keda.sh/v1alpha1/TriggerAuthentication": keda.TriggerAuthentication,
};
const ownSchemas = { "rabbitmq.com/v1beta1/RabbitmqCluster": join(here, "schemas", "rabbitmqcluster.schema.json") };

const docs = parseAllDocuments(readFileSync(process.argv[2], "utf8")).map(d => d.toJSON()).filter(Boolean);
const work = mkdtempSync(join(tmpdir(), "snw-manifests-"));
let failures = 0;
for (const [i, obj] of docs.entries()) {
  const key = `${obj.apiVersion}/${obj.kind}`;
  const name = `${obj.kind} ${obj.metadata?.name}`;
  try {
    if (models[key]) {
      new models[key](obj).validate();
    } else if (ownSchemas[key]) {
      const file = join(work, `${i}.json`);
      writeFileSync(file, JSON.stringify(obj));
      execFileSync(join(here, "node_modules", ".bin", "ajv"), ["validate", "--spec=draft7", "--strict=false", "-s", ownSchemas[key], "-d", file], { stdio: "pipe" });
    } else {
      throw new Error(`no schema for ${key}: add its model to deploy/validate/validate-manifests.mjs`);
    }
    console.log(`ok   ${name}`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}: ${e.stderr?.toString() || e.message}`);
  }
}
console.log(`${docs.length - failures} of ${docs.length} objects valid`);
process.exit(failures === 0 && docs.length > 0 ? 0 : 1);

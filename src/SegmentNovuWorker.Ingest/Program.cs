using SegmentNovuWorker.Ingest;

IngestApplication.Create(args).Run();

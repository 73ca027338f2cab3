using SegmentNovuWorker.Worker;

WorkerApplication.Create(args).Run();

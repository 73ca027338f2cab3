using SegmentNovuWorker.Admin;

AdminApplication.Create(args).Run();

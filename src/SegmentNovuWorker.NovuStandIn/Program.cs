using SegmentNovuWorker.NovuStandIn;

NovuStandInApp.Create(args).Run();

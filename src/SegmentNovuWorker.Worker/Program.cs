using SegmentNovuWorker.Worker;
using SegmentNovuWorker.Worker.Mapping;

var app = WorkerApplication.Create(args);
if (MappingStartCheck.Refuses(app, Console.Error))
    return MappingStartCheck.ExitCode;
app.Run();
return 0;

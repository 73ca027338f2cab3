using SegmentNovuWorker.Cli;

return await SegmentNovuCli.RunAsync(args, Console.Out, Console.Error);

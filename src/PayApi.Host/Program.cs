using PayApi.Host;

// A start-up failure (a bad setting, a port in use, a data dir or master key the process cannot use) is the operator's
// to fix: they get one line naming the cause and the setting, exit code 1, never a stack trace.
WebApplication? app = null;
try
{
    app = await PayApiApp.BuildAsync(args);
    await app.StartAsync();
}
catch (Exception e)
{
    Console.Error.WriteLine(StartupFailure.Describe(e));
    await StartupFailure.DisposeQuietlyAsync(app);
    return StartupFailure.ExitCode;
}

await app.WaitForShutdownAsync();
await app.DisposeAsync();
return 0;

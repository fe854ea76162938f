using Microsoft.Extensions.Options;
using PayApi.Host;

// A configuration mistake is the operator's to fix: they get its message (every bad key), not a stack trace.
try
{
    await using var app = await PayApiApp.BuildAsync(args);
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (e is SettingsException or OptionsValidationException)
{
    Console.Error.WriteLine(e.Message);
    return SettingsException.ExitCode;
}

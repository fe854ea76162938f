using PayApi.Host;

await using var app = await PayApiApp.BuildAsync(args);
await app.RunAsync();

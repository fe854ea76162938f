using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using PayApi.Contracts;
using PayApi.Scraping;
using PayApi.Vault;

namespace PayApi.Grains;

/// <summary>
/// Operator access to failure bundles on the silo that holds the artifact store. Opening one decrypts a
/// capture of an end-user's provider page, so every open is logged with the operator's request id.
/// </summary>
[StatelessWorker]
public sealed partial class FailureBundleGrain(FailureBundleStore bundles, ILogger<FailureBundleGrain> logger) : Grain, IFailureBundleGrain
{
    public async Task<IReadOnlyList<FailureBundleSummary>> ListAsync(string? connectionId)
    {
        var infos = connectionId is null ? await bundles.ListAllAsync() : await bundles.ListAsync(connectionId);
        return infos.Select(Summary).ToList();
    }

    public async Task<FailureBundleContent> OpenAsync(string connectionId, string bundleId, string requestId)
    {
        var info = (await bundles.ListAsync(connectionId)).FirstOrDefault(b => b.Id == bundleId)
            ?? throw PayApiException.NotFound("failure bundle");
        FailureBundle bundle;
        try
        {
            bundle = await bundles.OpenAsync(new EncryptionContext(info.ClientId, connectionId), bundleId);
        }
        catch (CiphertextRejectedException)
        {
            LogRejected(logger, connectionId, bundleId, requestId);
            throw new PayApiException(ErrorCodes.Conflict, "The failure bundle failed its integrity check and cannot be opened.");
        }

        LogOpened(logger, connectionId, bundleId, requestId);
        return new FailureBundleContent(Summary(info), bundle.Url, bundle.ScreenshotPng, bundle.Html);
    }

    private static FailureBundleSummary Summary(FailureBundleInfo info) =>
        new(info.Id, info.ConnectionId, info.ClientId, info.CreatedAt, info.Reason, info.Size);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Operator opened failure bundle {BundleId} of connection {ConnectionId} (request {RequestId})")]
    private static partial void LogOpened(ILogger logger, string connectionId, string bundleId, string requestId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Failure bundle {BundleId} of connection {ConnectionId} failed its integrity check (request {RequestId})")]
    private static partial void LogRejected(ILogger logger, string connectionId, string bundleId, string requestId);
}

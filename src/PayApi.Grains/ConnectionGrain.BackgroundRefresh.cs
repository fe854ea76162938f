using PayApi.Contracts;

namespace PayApi.Grains;

/// <summary>
/// The developer refresh after its <c>202</c>: it runs on in the grain, and what went wrong shows on the connection
/// (<c>status</c> and <c>error</c>), since the caller has long had its answer.
/// </summary>
public sealed partial class ConnectionGrain
{
    private Task? _backgroundRefresh;

    private async Task RecordBackgroundRefreshAsync(Task refresh)
    {
        try
        {
            await refresh;
        }
        catch (PayApiException ex)
        {
            LogRefreshFailed(logger, ConnectionId, ex.Code);
            await RecordRefreshErrorAsync(ex.Code, ex.Detail);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogBackgroundRefreshCrashed(logger, ConnectionId, ex.GetType().Name);
            await RecordRefreshErrorAsync(ErrorCodes.InternalError, "The refresh failed unexpectedly; it is tried again on the next refresh.");
        }
    }

    // Failures that change the status (login_required, locked, provider_unavailable...) were recorded where they
    // happened; the others (a bot check, a page the adapter does not understand, the browser pool) leave the status
    // and say what happened in `error`, until the next refresh succeeds. A disconnect in between leaves nothing to say.
    private Task RecordRefreshErrorAsync(string code, string detail) => ExclusiveAsync(async () =>
    {
        if (!state.RecordExists || code == ErrorCodes.Unauthorized || StatusAfter(code) is not null || UserMustAct)
        {
            return;
        }

        await SetStatusAsync(state.State.Status, new ErrorInfo(code, detail));
    });

    private async Task FinishBackgroundRefreshAsync(CancellationToken cancellationToken)
    {
        if (_backgroundRefresh is { IsCompleted: false } running)
        {
            try
            {
                await running.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The deactivation timeout passed: the refresh reminder fetches again later.
            }
        }
    }
}

using Microsoft.Extensions.Logging;
using PayApi.Contracts;

namespace PayApi.Grains;

/// <summary>
/// A grain call that failed with anything but a typed <see cref="PayApiException"/> (storage down or throttled
/// through every retry, state too large to store, a bug) may have changed the grain's memory without storing it.
/// The activation is dropped, so the next call starts over from the last state that was really stored, instead of
/// serving what storage never accepted.
/// </summary>
public sealed partial class StartOverAfterFailure(ILogger<StartOverAfterFailure> logger) : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        Exception? failure;
        try
        {
            await context.Invoke();
            failure = context.Response?.Exception;
        }
        catch (Exception e)
        {
            failure = e;
            if (ShouldStartOver(e))
            {
                Drop(context, e);
            }

            throw;
        }

        if (failure is not null && ShouldStartOver(failure))
        {
            Drop(context, failure);
        }
    }

    private static bool ShouldStartOver(Exception e) => e is not PayApiException and not OperationCanceledException;

    private void Drop(IIncomingGrainCallContext context, Exception failure)
    {
        LogStartingOver(logger, context.TargetContext.GrainId.Type.ToString() ?? "grain", context.MethodName, failure.GetType().Name);
        context.TargetContext.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationError, "A call failed; the next call reloads stored state."));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{GrainType}.{Method} failed with {Exception}; the activation starts over from stored state")]
    private static partial void LogStartingOver(ILogger logger, string grainType, string method, string exception);
}

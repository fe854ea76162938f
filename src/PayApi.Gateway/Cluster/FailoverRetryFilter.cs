using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using PayApi.Contracts;

namespace PayApi.Gateway.Cluster;

/// <summary>
/// Sends an <see cref="IdempotentAttribute">idempotent</see> grain call again when the silo that held the grain
/// died before answering. Until the cluster declares that silo dead, calls to its grains are refused at once
/// (nothing listens at its address); once it is declared dead, the grain activates on a survivor from its stored
/// state and the retry succeeds. Past <see cref="FailoverOptions.RetryBudget"/> the failure goes to the caller,
/// which the gateway answers with <c>503</c> and <c>Retry-After</c>. Calls that change state are never resent.
/// </summary>
public sealed partial class FailoverRetryFilter(IOptions<FailoverOptions> options, TimeProvider time, ILogger<FailoverRetryFilter> logger)
    : IOutgoingGrainCallFilter
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(1);

    private static readonly ConcurrentDictionary<MethodInfo, bool> Idempotent = new();

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        // The common case costs one await and looks at nothing: only a call whose silo was gone is examined.
        var (failure, thrown) = await InvokeOnceAsync(context);
        if (failure is null || !IsSiloGone(failure) || options.Value.RetryBudget <= TimeSpan.Zero || !IsIdempotent(context.InterfaceMethod))
        {
            Surface(failure, thrown);
            return;
        }

        var started = time.GetTimestamp();
        var delay = FirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            var left = options.Value.RetryBudget - time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                Surface(failure, thrown);
                return;
            }

            LogRetrying(logger, context.InterfaceName, context.MethodName, attempt, failure.GetType().Name);
            await Task.Delay(delay < left ? delay : left, time);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));

            (failure, thrown) = await InvokeOnceAsync(context);
            if (failure is null || !IsSiloGone(failure))
            {
                Surface(failure, thrown);
                return;
            }
        }
    }

    // A failed call either throws or leaves its exception in the response, depending on where it failed.
    private static async Task<(Exception? Failure, bool Thrown)> InvokeOnceAsync(IOutgoingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
            return (context.Response?.Exception, false);
        }
        catch (Exception e)
        {
            return (e, true);
        }
    }

    // A failure that came back in the response stays there for the caller; one that was thrown is thrown again.
    private static void Surface(Exception? failure, bool thrown)
    {
        if (failure is not null && thrown)
        {
            ExceptionDispatchInfo.Capture(failure).Throw();
        }
    }

    private static bool IsIdempotent(MethodInfo? method) =>
        method is not null && Idempotent.GetOrAdd(method, m => m.GetCustomAttribute<IdempotentAttribute>() is not null);

    /// <summary>The call never reached a live activation: its silo is gone or unreachable, so resending is safe.</summary>
    // Orleans' ConnectionFailedException (a refused or broken connection to the silo) is not public; it is matched by name.
    public static bool IsSiloGone(Exception e) =>
        e is SiloUnavailableException or OrleansMessageRejectionException || e.GetType().Name == "ConnectionFailedException";

    [LoggerMessage(Level = LogLevel.Information, Message = "{Interface}.{Method}: attempt {Attempt} found its silo gone ({Exception}); retrying")]
    private static partial void LogRetrying(ILogger logger, string @interface, string method, int attempt, string exception);
}

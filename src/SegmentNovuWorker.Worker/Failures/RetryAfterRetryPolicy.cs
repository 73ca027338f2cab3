using MassTransit;
using SegmentNovuWorker.Novu;

namespace SegmentNovuWorker.Worker.Failures;

/// <summary>
/// Wraps one of MassTransit's retry policies so the next attempt never comes sooner than Novu's <c>Retry-After</c>.
/// MassTransit's interval policies only know their own intervals; this decorator lengthens a delay to the
/// <see cref="NovuRetryableException.RetryAfter"/> of the failure, and (with <paramref name="maxRetryAfter"/>) gives up
/// on the layer altogether when the wait would be too long for it, handing the message to the next layer.
/// </summary>
public sealed class RetryAfterRetryPolicy(IRetryPolicy inner, TimeSpan? maxRetryAfter = null) : IRetryPolicy
{
    public void Probe(ProbeContext context)
    {
        context.Add("retryAfter", maxRetryAfter?.ToString() ?? "honoured");
        inner.Probe(context);
    }

    public RetryPolicyContext<T> CreatePolicyContext<T>(T context)
        where T : class, PipeContext =>
        new PolicyContext<T>(inner.CreatePolicyContext(context), maxRetryAfter);

    public bool IsHandled(Exception exception) => inner.IsHandled(exception);

    static TimeSpan? RetryAfterOf(Exception exception) => exception switch
    {
        NovuRetryableException { RetryAfter: { } retryAfter } => retryAfter,
        { InnerException: { } innerException } => RetryAfterOf(innerException),
        _ => null,
    };

    /// <summary>
    /// Applies Retry-After to what the inner policy decided: the same answer with a delay of at least Retry-After, or
    /// false when the wait is too long for this layer.
    /// </summary>
    static bool Adjust<T>(bool canRetry, ref RetryContext<T> retryContext, Exception exception, TimeSpan? maxRetryAfter)
        where T : class
    {
        if (!canRetry || RetryAfterOf(exception) is not { } retryAfter)
            return canRetry;
        if (retryAfter > maxRetryAfter)
            return false;
        retryContext = new Delayed<T>(retryContext, retryAfter, maxRetryAfter);
        return true;
    }

    sealed class PolicyContext<T>(RetryPolicyContext<T> inner, TimeSpan? maxRetryAfter) : RetryPolicyContext<T>
        where T : class, PipeContext
    {
        public T Context => inner.Context;

        public bool CanRetry(Exception exception, out RetryContext<T> retryContext) =>
            Adjust(inner.CanRetry(exception, out retryContext), ref retryContext, exception, maxRetryAfter);

        public Task RetryFaulted(Exception exception) => inner.RetryFaulted(exception);
        public void Cancel() => inner.Cancel();
        public void Dispose() => inner.Dispose();
    }

    /// <summary>The inner retry context with its delay raised to at least Retry-After.</summary>
    sealed class Delayed<T>(RetryContext<T> inner, TimeSpan retryAfter, TimeSpan? maxRetryAfter) : RetryContext<T>
        where T : class
    {
        public T Context => inner.Context;
        public CancellationToken CancellationToken => inner.CancellationToken;
        public Exception Exception => inner.Exception;
        public int RetryAttempt => inner.RetryAttempt;
        public int RetryCount => inner.RetryCount;
        public Type ContextType => inner.ContextType;

        public TimeSpan? Delay => inner.Delay is { } delay && delay > retryAfter ? delay : retryAfter;

        public bool CanRetry(Exception exception, out RetryContext<T> retryContext) =>
            Adjust(inner.CanRetry(exception, out retryContext), ref retryContext, exception, maxRetryAfter);

        public Task RetryFaulted(Exception exception) => inner.RetryFaulted(exception);
        public Task PreRetry() => inner.PreRetry();
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace PayApi.Host.Logging;

/// <summary>
/// Console logging, one line per entry (<c>2026-12-01T06:11:00.004Z info: Category[id] message</c>), written to
/// standard output in batches by one thread of its own. A logging call formats its line and queues it without taking
/// a lock; the writer drains the queue, writes it in one go and flushes when it runs dry. The framework's console
/// logger instead takes a lock and wakes its writer for every entry, which at thousands of requests a second (the
/// request log writes a line per request) cost the gateway more than the request itself. Nothing is dropped: when the
/// writer falls far behind (standard output blocked), callers wait for it.
/// </summary>
[ProviderAlias("Console")]
public sealed class LineConsoleLoggerProvider : ILoggerProvider
{
    private const int MaxQueued = 50_000;

    private readonly ConcurrentDictionary<string, LineConsoleLogger> _loggers = new(StringComparer.Ordinal);
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ManualResetEventSlim _caughtUp = new(true);
    private readonly Thread _writerThread;
    private readonly Stream _output;
    private int _queued;

    public LineConsoleLoggerProvider()
        : this(Console.OpenStandardOutput())
    {
    }

    internal LineConsoleLoggerProvider(Stream output)
    {
        _output = output;
        _writerThread = new Thread(WriteLines) { IsBackground = true, Name = "Console log writer" };
        _writerThread.Start();
    }

    public ILogger CreateLogger(string categoryName) => _loggers.GetOrAdd(categoryName, name => new LineConsoleLogger(name, this));

    public void Dispose()
    {
        _lines.Writer.TryComplete();
        // What was logged before disposal still reaches the console (a start-up failure's last words, a shutdown's).
        _writerThread.Join(TimeSpan.FromSeconds(5));
        _caughtUp.Dispose();
    }

    internal void Enqueue(string line)
    {
        if (Interlocked.Increment(ref _queued) > MaxQueued)
        {
            _caughtUp.Reset();
            _caughtUp.Wait(TimeSpan.FromSeconds(5));
        }

        if (!_lines.Writer.TryWrite(line))
        {
            // Disposed: the host is going down and the writer is gone, so this last line goes straight out.
            Interlocked.Decrement(ref _queued);
            Console.Out.WriteLine(line);
        }
    }

    private void WriteLines()
    {
        using var writer = new StreamWriter(_output, new UTF8Encoding(false), 64 * 1024) { AutoFlush = false };
        var reader = _lines.Reader;
        try
        {
            while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                while (reader.TryRead(out var line))
                {
                    writer.Write(line);
                    writer.Write('\n');
                    if (Interlocked.Decrement(ref _queued) < MaxQueued / 2)
                    {
                        _caughtUp.Set();
                    }
                }

                writer.Flush();
            }
        }
        catch (IOException)
        {
            // Standard output closed (the parent went away): there is nowhere left to write.
        }
        finally
        {
            _caughtUp.Set();
        }
    }

    private sealed class LineConsoleLogger(string category, LineConsoleLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var message = formatter(state, exception);
            if (string.IsNullOrEmpty(message) && exception is null)
            {
                return;
            }

            var line = new StringBuilder(64 + category.Length + message.Length);
            line.Append(DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fff", CultureInfo.InvariantCulture)).Append("Z ")
                .Append(Level(logLevel)).Append(": ").Append(category)
                .Append('[').Append(eventId.Id.ToString(CultureInfo.InvariantCulture)).Append("] ");
            AppendOneLine(line, message);
            if (exception is not null)
            {
                line.Append(' ');
                AppendOneLine(line, exception.ToString());
            }

            provider.Enqueue(line.ToString());
        }

        // One entry, one line: a message or stack trace spanning lines would read as several entries to a log shipper.
        private static void AppendOneLine(StringBuilder line, string text)
        {
            foreach (var c in text)
            {
                line.Append(c is '\r' or '\n' ? ' ' : c);
            }
        }

        private static string Level(LogLevel level) => level switch
        {
            LogLevel.Trace => "trce",
            LogLevel.Debug => "dbug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "fail",
            LogLevel.Critical => "crit",
            _ => "none",
        };
    }
}

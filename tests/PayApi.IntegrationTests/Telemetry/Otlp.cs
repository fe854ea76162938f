using System.Text;

namespace PayApi.IntegrationTests.Telemetry;

/// <summary>One exported span, read off an OTLP ExportTraceServiceRequest.</summary>
public sealed record OtlpSpan(string Scope, string TraceId, string SpanId, string ParentSpanId, string Name, int Kind, IReadOnlyDictionary<string, string> Attributes);

/// <summary>
/// Reads the few OTLP fields the tests need straight off the protobuf wire format (field numbers from the
/// opentelemetry-proto definitions: trace/v1, metrics/v1, logs/v1, common/v1).
/// </summary>
public static class Otlp
{
    public static IEnumerable<OtlpSpan> Spans(byte[] exportTraceRequest)
    {
        foreach (var resourceSpans in Fields(exportTraceRequest, 1))
        {
            foreach (var scopeSpans in Fields(resourceSpans, 2))
            {
                var scope = Fields(scopeSpans, 1).Select(s => Text(Fields(s, 1).FirstOrDefault())).FirstOrDefault() ?? "";
                foreach (var span in Fields(scopeSpans, 2))
                {
                    var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
                    foreach (var kv in Fields(span, 9))
                    {
                        attributes[Text(Fields(kv, 1).FirstOrDefault())] = AnyValueText(Fields(kv, 2).FirstOrDefault());
                    }

                    yield return new OtlpSpan(
                        scope,
                        Convert.ToHexString(Fields(span, 1).FirstOrDefault() ?? []),
                        Convert.ToHexString(Fields(span, 2).FirstOrDefault() ?? []),
                        Convert.ToHexString(Fields(span, 4).FirstOrDefault() ?? []),
                        Text(Fields(span, 5).FirstOrDefault()),
                        (int)Varints(span, 6).FirstOrDefault(),
                        attributes);
                }
            }
        }
    }

    /// <summary>The names of the metrics in an ExportMetricsServiceRequest, with their scope (meter) names.</summary>
    public static IEnumerable<(string Scope, string Name)> Metrics(byte[] exportMetricsRequest)
    {
        foreach (var resourceMetrics in Fields(exportMetricsRequest, 1))
        {
            foreach (var scopeMetrics in Fields(resourceMetrics, 2))
            {
                var scope = Fields(scopeMetrics, 1).Select(s => Text(Fields(s, 1).FirstOrDefault())).FirstOrDefault() ?? "";
                foreach (var metric in Fields(scopeMetrics, 2))
                {
                    yield return (scope, Text(Fields(metric, 1).FirstOrDefault()));
                }
            }
        }
    }

    /// <summary>The log records of an ExportLogsServiceRequest: their scope (category) and body text.</summary>
    public static IEnumerable<(string Scope, string Body)> Logs(byte[] exportLogsRequest)
    {
        foreach (var resourceLogs in Fields(exportLogsRequest, 1))
        {
            foreach (var scopeLogs in Fields(resourceLogs, 2))
            {
                var scope = Fields(scopeLogs, 1).Select(s => Text(Fields(s, 1).FirstOrDefault())).FirstOrDefault() ?? "";
                foreach (var record in Fields(scopeLogs, 2))
                {
                    yield return (scope, AnyValueText(Fields(record, 5).FirstOrDefault()));
                }
            }
        }
    }

    private static string AnyValueText(byte[]? anyValue)
    {
        if (anyValue is null)
        {
            return "";
        }

        if (Fields(anyValue, 1).FirstOrDefault() is { } text)
        {
            return Text(text);
        }

        return Varints(anyValue, 3).Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault() ?? "";
    }

    private static string Text(byte[]? bytes) => bytes is null ? "" : Encoding.UTF8.GetString(bytes);

    /// <summary>The length-delimited values of field <paramref name="number"/>.</summary>
    private static List<byte[]> Fields(byte[] message, int number) =>
        [.. Walk(message).Where(f => f.Number == number && f.Bytes is not null).Select(f => f.Bytes!)];

    private static List<ulong> Varints(byte[] message, int number) =>
        [.. Walk(message).Where(f => f.Number == number && f.Bytes is null).Select(f => f.Value)];

    private static IEnumerable<(int Number, byte[]? Bytes, ulong Value)> Walk(byte[] message)
    {
        var position = 0;
        var result = new List<(int, byte[]?, ulong)>();
        while (position < message.Length)
        {
            var key = ReadVarint(message, ref position);
            var number = (int)(key >> 3);
            switch ((int)(key & 7))
            {
                case 0:
                    result.Add((number, null, ReadVarint(message, ref position)));
                    break;
                case 1:
                    result.Add((number, null, BitConverter.ToUInt64(message, position)));
                    position += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(message, ref position);
                    result.Add((number, message[position..(position + length)], 0));
                    position += length;
                    break;
                case 5:
                    result.Add((number, null, BitConverter.ToUInt32(message, position)));
                    position += 4;
                    break;
                default:
                    throw new FormatException($"Unsupported protobuf wire type {key & 7} at {position}.");
            }
        }

        return result;
    }

    private static ulong ReadVarint(byte[] message, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = message[position++];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }
}

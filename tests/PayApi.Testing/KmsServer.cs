using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PayApi.Testing;

/// <summary>
/// Our own AWS KMS on a loopback port, speaking the service's JSON 1.1 protocol (<c>POST /</c>,
/// <c>X-Amz-Target: TrentService.&lt;Operation&gt;</c>), so the real SDK client, in this process or a child host process,
/// talks to it as to KMS. It implements GenerateDataKey, Decrypt, Encrypt, ReEncrypt and DescribeKey over symmetric keys.
/// Its ciphertext blobs are its own (key id, IV, AES-256-GCM with the canonical encryption context as AAD), and it
/// refuses what KMS refuses: another encryption context (InvalidCiphertextException), another key named in Decrypt
/// (IncorrectKeyException), an unknown key (NotFoundException). It can be told to throttle, fail, hang or report the key
/// disabled, and counts requests per operation.
/// </summary>
public sealed class KmsServer : IAsyncDisposable
{
    public const string Region = "us-east-1";
    public const string Account = "111122223333";
    public const string TestAlias = "alias/payapi-test";

    // Blob: magic, key uuid, IV, GCM tag, ciphertext. The magic makes a truncated or foreign blob fail early.
    private static readonly byte[] Magic = "PKS1"u8.ToArray();
    private const int IvSize = 12;
    private const int TagSize = 16;
    private const int HeaderSize = 4 + 16;

    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly List<Key> _keys = [];
    private readonly Dictionary<string, Key> _aliases = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);
    private Fault? _fault;

    private KmsServer(WebApplication app)
    {
        _app = app;
    }

    /// <summary><c>http://127.0.0.1:&lt;port&gt;</c>, for <c>PayApi:Kms:ServiceUrl</c>.</summary>
    public string ServiceUrl { get; private set; } = "";

    /// <summary>The ARN of the key the server starts with (alias <see cref="TestAlias"/>).</summary>
    public string DefaultKeyArn { get; private set; } = "";

    public static async Task<KmsServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new KmsServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.ServiceUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        server.DefaultKeyArn = server.AddKey(TestAlias);
        return server;
    }

    /// <summary>Creates a symmetric key (and the alias, when given) and returns its ARN.</summary>
    public string AddKey(string? alias = null)
    {
        var id = Guid.NewGuid();
        var key = new Key(id, $"arn:aws:kms:{Region}:{Account}:key/{id:D}", RandomNumberGenerator.GetBytes(32), DateTimeOffset.UtcNow);
        lock (_gate)
        {
            _keys.Add(key);
            if (alias is not null)
            {
                if (!alias.StartsWith("alias/", StringComparison.Ordinal))
                {
                    throw new ArgumentException("An alias name starts with 'alias/'.", nameof(alias));
                }

                _aliases[alias] = key;
            }
        }

        return key.Arn;
    }

    /// <summary>
    /// The next <paramref name="count"/> requests (-1: all until <see cref="ClearFaults"/>), of <paramref name="operation"/>
    /// when given, get <paramref name="mode"/>: <c>throttle</c> (ThrottlingException, 400), <c>server_error</c>
    /// (KMSInternalException, 500), <c>hang</c> (no answer until the client gives up) or <c>disabled</c>
    /// (KMSInvalidStateException, 400, as for a key pending deletion).
    /// </summary>
    public void SetFault(string mode, int count, string? operation = null)
    {
        if (mode is not ("throttle" or "server_error" or "hang" or "disabled"))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "throttle, server_error, hang or disabled");
        }

        lock (_gate)
        {
            _fault = count == 0 ? null : new Fault(mode, count, operation);
        }
    }

    public void ClearFaults()
    {
        lock (_gate)
        {
            _fault = null;
        }
    }

    /// <summary>Requests received for <paramref name="operation"/> (e.g. <c>Decrypt</c>), faulted ones and retries included.</summary>
    public int Calls(string operation) => _calls.GetValueOrDefault(operation);

    public void ResetCounts() => _calls.Clear();

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var target = context.Request.Headers["X-Amz-Target"].ToString();
        if (!HttpMethods.IsPost(context.Request.Method) || context.Request.Path != "/" || !target.StartsWith("TrentService.", StringComparison.Ordinal))
        {
            await ErrorAsync(context, 400, "UnknownOperationException", "Expected POST / with X-Amz-Target: TrentService.<Operation>.");
            return;
        }

        var operation = target["TrentService.".Length..];
        _calls.AddOrUpdate(operation, 1, (_, n) => n + 1);

        // Like KMS, refuse an unsigned request; who signed it is not checked.
        if (!context.Request.Headers.Authorization.ToString().StartsWith("AWS4-HMAC-SHA256 ", StringComparison.Ordinal))
        {
            await ErrorAsync(context, 400, "MissingAuthenticationTokenException", "Missing Authentication Token");
            return;
        }

        switch (TakeFault(operation))
        {
            case "throttle":
                await ErrorAsync(context, 400, "ThrottlingException", "Rate exceeded");
                return;
            case "server_error":
                await ErrorAsync(context, 500, "KMSInternalException", "An internal error occurred.");
                return;
            case "disabled":
                await ErrorAsync(context, 400, "KMSInvalidStateException", "The key is pending deletion.");
                return;
            case "hang":
                using (var both = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token))
                {
                    await Task.Delay(Timeout.Infinite, both.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                }

                return;
        }

        JsonElement request;
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            request = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            await ErrorAsync(context, 400, "SerializationException", "The request body is not JSON.");
            return;
        }

        try
        {
            var response = operation switch
            {
                "GenerateDataKey" => GenerateDataKey(request),
                "Decrypt" => Decrypt(request),
                "Encrypt" => Encrypt(request),
                "ReEncrypt" => ReEncrypt(request),
                "DescribeKey" => DescribeKey(request),
                _ => throw new KmsError(400, "UnknownOperationException", $"{operation} is not implemented by this server."),
            };
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-amz-json-1.1";
            context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
            await context.Response.WriteAsync(JsonSerializer.Serialize(response));
        }
        catch (KmsError e)
        {
            await ErrorAsync(context, e.Status, e.Type, e.Message);
        }
    }

    private Dictionary<string, object> GenerateDataKey(JsonElement request)
    {
        var key = ResolveKey(RequiredString(request, "KeyId"));
        var spec = OptionalString(request, "KeySpec");
        int length;
        if (request.TryGetProperty("NumberOfBytes", out var bytes))
        {
            length = spec is null && bytes.TryGetInt32(out var n) && n is >= 1 and <= 1024
                ? n
                : throw new KmsError(400, "ValidationException", "Specify either KeySpec or NumberOfBytes (1-1024).");
        }
        else
        {
            length = spec switch
            {
                "AES_256" => 32,
                "AES_128" => 16,
                _ => throw new KmsError(400, "ValidationException", "KeySpec must be AES_256 or AES_128."),
            };
        }

        var plaintext = RandomNumberGenerator.GetBytes(length);
        var blob = Seal(key, Context(request, "EncryptionContext"), plaintext);
        return new() { ["CiphertextBlob"] = blob, ["KeyId"] = key.Arn, ["Plaintext"] = plaintext };
    }

    private Dictionary<string, object> Decrypt(JsonElement request)
    {
        var (key, plaintext) = Open(RequiredBlob(request, "CiphertextBlob"), Context(request, "EncryptionContext"), OptionalString(request, "KeyId"));
        return new() { ["KeyId"] = key.Arn, ["Plaintext"] = plaintext, ["EncryptionAlgorithm"] = "SYMMETRIC_DEFAULT" };
    }

    private Dictionary<string, object> Encrypt(JsonElement request)
    {
        var key = ResolveKey(RequiredString(request, "KeyId"));
        var plaintext = RequiredBlob(request, "Plaintext");
        if (plaintext.Length > 4096)
        {
            throw new KmsError(400, "ValidationException", "Plaintext must be at most 4096 bytes.");
        }

        return new()
        {
            ["CiphertextBlob"] = Seal(key, Context(request, "EncryptionContext"), plaintext),
            ["KeyId"] = key.Arn,
            ["EncryptionAlgorithm"] = "SYMMETRIC_DEFAULT",
        };
    }

    private Dictionary<string, object> ReEncrypt(JsonElement request)
    {
        var destination = ResolveKey(RequiredString(request, "DestinationKeyId"));
        var (source, plaintext) = Open(RequiredBlob(request, "CiphertextBlob"), Context(request, "SourceEncryptionContext"), OptionalString(request, "SourceKeyId"));
        try
        {
            return new()
            {
                ["CiphertextBlob"] = Seal(destination, Context(request, "DestinationEncryptionContext"), plaintext),
                ["SourceKeyId"] = source.Arn,
                ["KeyId"] = destination.Arn,
                ["SourceEncryptionAlgorithm"] = "SYMMETRIC_DEFAULT",
                ["DestinationEncryptionAlgorithm"] = "SYMMETRIC_DEFAULT",
            };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private Dictionary<string, object> DescribeKey(JsonElement request)
    {
        var key = ResolveKey(RequiredString(request, "KeyId"));
        return new()
        {
            ["KeyMetadata"] = new Dictionary<string, object>
            {
                ["AWSAccountId"] = Account,
                ["KeyId"] = key.Id.ToString("D"),
                ["Arn"] = key.Arn,
                ["CreationDate"] = key.CreatedAt.ToUnixTimeMilliseconds() / 1000.0,
                ["Enabled"] = true,
                ["Description"] = "",
                ["KeyUsage"] = "ENCRYPT_DECRYPT",
                ["KeyState"] = "Enabled",
                ["Origin"] = "AWS_KMS",
                ["KeyManager"] = "CUSTOMER",
                ["CustomerMasterKeySpec"] = "SYMMETRIC_DEFAULT",
                ["KeySpec"] = "SYMMETRIC_DEFAULT",
                ["EncryptionAlgorithms"] = new[] { "SYMMETRIC_DEFAULT" },
                ["MultiRegion"] = false,
            },
        };
    }

    private static byte[] Seal(Key key, SortedDictionary<string, string> context, byte[] plaintext)
    {
        var blob = new byte[HeaderSize + IvSize + TagSize + plaintext.Length];
        Magic.CopyTo(blob, 0);
        key.Id.TryWriteBytes(blob.AsSpan(4, 16));
        var iv = blob.AsSpan(HeaderSize, IvSize);
        RandomNumberGenerator.Fill(iv);
        using var aes = new AesGcm(key.Material, TagSize);
        aes.Encrypt(iv, plaintext, blob.AsSpan(HeaderSize + IvSize + TagSize), blob.AsSpan(HeaderSize + IvSize, TagSize), Aad(blob.AsSpan(0, HeaderSize), context));
        return blob;
    }

    private (Key Key, byte[] Plaintext) Open(byte[] blob, SortedDictionary<string, string> context, string? keyId)
    {
        if (blob.Length < HeaderSize + IvSize + TagSize || !blob.AsSpan(0, 4).SequenceEqual(Magic))
        {
            throw InvalidCiphertext();
        }

        var id = new Guid(blob.AsSpan(4, 16));
        Key? key;
        lock (_gate)
        {
            key = _keys.Find(k => k.Id == id);
        }

        if (key is null)
        {
            throw InvalidCiphertext();
        }

        // As KMS: a named key that is not the blob's key is refused before anything is decrypted.
        if (keyId is not null && ResolveKey(keyId).Id != key.Id)
        {
            throw new KmsError(400, "IncorrectKeyException", "The key ID in the request does not identify a KMS key that can perform this operation.");
        }

        var plaintext = new byte[blob.Length - HeaderSize - IvSize - TagSize];
        try
        {
            using var aes = new AesGcm(key.Material, TagSize);
            aes.Decrypt(blob.AsSpan(HeaderSize, IvSize), blob.AsSpan(HeaderSize + IvSize + TagSize), blob.AsSpan(HeaderSize + IvSize, TagSize), plaintext, Aad(blob.AsSpan(0, HeaderSize), context));
        }
        catch (CryptographicException)
        {
            throw InvalidCiphertext();
        }

        return (key, plaintext);
    }

    // The AAD: the blob header, then each context pair in ordinal key order, every part length-prefixed, so the
    // same context always encodes the same way and no two contexts collide.
    private static byte[] Aad(ReadOnlySpan<byte> header, SortedDictionary<string, string> context)
    {
        using var buffer = new MemoryStream();
        buffer.Write(header);
        Span<byte> length = stackalloc byte[4];
        foreach (var part in context.SelectMany(pair => new[] { pair.Key, pair.Value }))
        {
            var bytes = Encoding.UTF8.GetBytes(part);
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            buffer.Write(length);
            buffer.Write(bytes);
        }

        return buffer.ToArray();
    }

    private Key ResolveKey(string keyId)
    {
        var aliasArnPrefix = $"arn:aws:kms:{Region}:{Account}:alias/";
        lock (_gate)
        {
            Key? key = keyId switch
            {
                _ when keyId.StartsWith("alias/", StringComparison.Ordinal) => _aliases.GetValueOrDefault(keyId),
                _ when keyId.StartsWith(aliasArnPrefix, StringComparison.Ordinal) => _aliases.GetValueOrDefault("alias/" + keyId[aliasArnPrefix.Length..]),
                _ when keyId.StartsWith("arn:", StringComparison.Ordinal) => _keys.Find(k => k.Arn == keyId),
                _ => Guid.TryParseExact(keyId, "D", out var id) ? _keys.Find(k => k.Id == id) : null,
            };
            return key ?? throw new KmsError(400, "NotFoundException", $"Key '{keyId}' does not exist");
        }
    }

    private static SortedDictionary<string, string> Context(JsonElement request, string name)
    {
        var context = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (request.TryGetProperty(name, out var element) && element.ValueKind != JsonValueKind.Null)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw new KmsError(400, "ValidationException", $"{name} must be a map of strings.");
            }

            foreach (var pair in element.EnumerateObject())
            {
                context[pair.Name] = pair.Value.ValueKind == JsonValueKind.String
                    ? pair.Value.GetString()!
                    : throw new KmsError(400, "ValidationException", $"{name} values must be strings.");
            }
        }

        return context;
    }

    private static string RequiredString(JsonElement request, string name) =>
        OptionalString(request, name) is { Length: > 0 } value ? value : throw new KmsError(400, "ValidationException", $"{name} is required.");

    private static string? OptionalString(JsonElement request, string name) =>
        request.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String ? element.GetString() : null;

    private static byte[] RequiredBlob(JsonElement request, string name)
    {
        if (request.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String && element.TryGetBytesFromBase64(out var bytes) && bytes.Length > 0)
        {
            return bytes;
        }

        throw new KmsError(400, "ValidationException", $"{name} must be a non-empty base64 blob.");
    }

    private static KmsError InvalidCiphertext() => new(400, "InvalidCiphertextException", "");

    private string? TakeFault(string operation)
    {
        lock (_gate)
        {
            if (_fault is not { } fault || (fault.Operation is not null && fault.Operation != operation))
            {
                return null;
            }

            if (fault.Remaining > 0)
            {
                _fault = fault.Remaining == 1 ? null : fault with { Remaining = fault.Remaining - 1 };
            }

            return fault.Mode;
        }
    }

    private static async Task ErrorAsync(HttpContext context, int status, string type, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/x-amz-json-1.1";
        context.Response.Headers["x-amzn-ErrorType"] = type;
        context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["__type"] = type, ["message"] = message }));
    }

    private sealed record Key(Guid Id, string Arn, byte[] Material, DateTimeOffset CreatedAt);

    private sealed record Fault(string Mode, int Remaining, string? Operation);

    private sealed class KmsError(int status, string type, string message) : Exception(message)
    {
        public int Status { get; } = status;

        public string Type { get; } = type;
    }
}

namespace PayApi.Testing;

/// <summary>
/// A real s3rver (an S3 REST server whose objects are plain files, npm package <c>s3rver</c>) on a loopback port,
/// run by <c>tests/tools/s3rver/server.js</c>, which accepts any access key and answers back server-side-encryption
/// headers that s3rver itself drops. Its files live in <see cref="DataPath"/>, so a test can search them. It can be
/// stopped and started again on the same port and files, to play an outage. Installs s3rver on first use when the
/// clone has no <c>node_modules</c> yet.
/// </summary>
public sealed class S3rver : NodeServer
{
    private static readonly NodeTool Tool = new("s3rver", "s3rver", "--directory");

    private S3rver()
        : base(Tool, "payapi-s3rver")
    {
    }

    /// <summary>A bucket name no other test uses.</summary>
    public static string NewBucketName() => "t" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>The file holding an object's bytes, as s3rver lays it out (objects under <c>objects/&lt;bucket&gt;/</c>, beside <c>sse.log</c>).</summary>
    public string ObjectFile(string bucket, string key) =>
        Path.Combine([DataPath, "objects", bucket, .. key.Split('/')[..^1], key.Split('/')[^1] + "._S3rver_object"]);

    public static async Task<S3rver> StartAsync()
    {
        var server = new S3rver();
        await server.StartProcessAsync(port: 0);
        return server;
    }

    /// <summary>The folder holding <c>server.js</c> and its installed <c>node_modules</c>.</summary>
    public static string ToolDirectory => Tool.Directory;
}

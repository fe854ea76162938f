using System.Text.Json;
using Amazon.CDK;
using Amazon.CDK.Assertions;

namespace PayApi.Deploy.Tests;

/// <summary>
/// One CDK app with the stack in two regions, synthesized once for a whole test class (jsii starts Node.js, which
/// takes seconds): a production stack in eu-west-1 and a staging stack in us-east-1 with other settings.
/// </summary>
public sealed class SynthesizedStacks : IDisposable
{
    public const string Account = "123456789012";

    public static readonly DeploySettings PrimarySettings = new()
    {
        EnvironmentName = "prod",
        Region = "eu-west-1",
        Account = Account,
        CertificateArn = $"arn:aws:acm:eu-west-1:{Account}:certificate/11111111-2222-3333-4444-555555555555",
        PublicUrl = "https://pay.example.com",
        AlarmEmail = "oncall@example.com",
    };

    public static readonly DeploySettings SecondarySettings = new()
    {
        EnvironmentName = "prod",
        Region = "us-east-1",
        Account = Account,
        CertificateArn = $"arn:aws:acm:us-east-1:{Account}:certificate/66666666-7777-8888-9999-000000000000",
        AdminTokenSecretArn = $"arn:aws:secretsmanager:us-east-1:{Account}:secret:payapi/prod/admin-token-AbCdEf",
        MinTasks = 3,
        MaxTasks = 6,
        NatGateways = 1,
    };

    private readonly string _outdir = Path.Combine(Path.GetTempPath(), "payapi-cdk-" + Guid.NewGuid().ToString("N"));

    public SynthesizedStacks()
    {
        System.Environment.SetEnvironmentVariable("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1");
        var app = new App(new AppProps { Outdir = _outdir });
        CollectorConfig = PayApiStack.ReadCollectorConfig();
        PrimaryStack = new PayApiStack(app, PrimarySettings, CollectorConfig);
        SecondaryStack = new PayApiStack(app, SecondarySettings, CollectorConfig);
        var assembly = app.Synth();
        Primary = Template.FromStack(PrimaryStack);
        Secondary = Template.FromStack(SecondaryStack);
        PrimaryJson = Load(assembly.GetStackArtifact(PrimaryStack.ArtifactId).TemplateFullPath);
        SecondaryJson = Load(assembly.GetStackArtifact(SecondaryStack.ArtifactId).TemplateFullPath);
    }

    public string CollectorConfig { get; }

    public PayApiStack PrimaryStack { get; }

    public PayApiStack SecondaryStack { get; }

    public Template Primary { get; }

    public Template Secondary { get; }

    public JsonElement PrimaryJson { get; }

    public JsonElement SecondaryJson { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_outdir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static JsonElement Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.Clone();
    }
}

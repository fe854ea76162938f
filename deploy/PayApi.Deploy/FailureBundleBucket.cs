using Amazon.CDK;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.S3;
using Constructs;

namespace PayApi.Deploy;

/// <summary>
/// The bucket of failure bundles (<c>artifacts/</c>) and of provider data chunks too large for a DynamoDB item
/// (<c>provider-data/</c>). Public access fully blocked, SSE-KMS with the customer managed key (and an S3 bucket key,
/// so KMS sees one context per bucket), TLS required by the bucket policy, versioning off (SECURITY.md: a deleted
/// object must be gone), and a lifecycle rule deleting bundles after 5 days. Only <c>artifacts/</c> expires: provider
/// data chunks live as long as the data they belong to, and the service deletes them itself.
/// </summary>
public sealed class FailureBundleBucket : Construct
{
    /// <summary>A name fixed in advance (account and region make it unique) so the key policy can name the bucket without a cycle.</summary>
    public static string NameFor(DeploySettings settings) => $"payapi-{settings.EnvironmentName}-bundles-{Aws.ACCOUNT_ID}-{settings.Region}";

    public static string ArnFor(DeploySettings settings) => $"arn:{Aws.PARTITION}:s3:::{NameFor(settings)}";

    public FailureBundleBucket(Construct scope, string id, DeploySettings settings, IKey key)
        : base(scope, id)
    {
        Bucket = new Bucket(this, "Bucket", new BucketProps
        {
            BucketName = NameFor(settings),
            BlockPublicAccess = BlockPublicAccess.BLOCK_ALL,
            Encryption = BucketEncryption.KMS,
            EncryptionKey = key,
            BucketKeyEnabled = true,
            EnforceSSL = true,
            Versioned = false,
            ObjectOwnership = ObjectOwnership.BUCKET_OWNER_ENFORCED,
            LifecycleRules =
            [
                new LifecycleRule
                {
                    Id = "DeleteFailureBundlesAfter5Days",
                    Prefix = ServiceContract.ArtifactsPrefix,
                    Expiration = Duration.Days(ServiceContract.FailureBundleDays),
                    Enabled = true,
                },
                new LifecycleRule
                {
                    Id = "AbortIncompleteUploads",
                    AbortIncompleteMultipartUploadAfter = Duration.Days(1),
                    Enabled = true,
                },
            ],
            RemovalPolicy = RemovalPolicy.RETAIN,
        });
    }

    public Bucket Bucket { get; }
}

using System.Runtime.CompilerServices;

// The tests wait on the bucket creator's Settled task instead of sleeping.
[assembly: InternalsVisibleTo("PayApi.Storage.S3.Tests")]

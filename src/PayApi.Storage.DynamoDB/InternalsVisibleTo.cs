using System.Runtime.CompilerServices;

// The tests set small page limits to exercise the Query and Scan paging loops with a few items.
[assembly: InternalsVisibleTo("PayApi.Storage.DynamoDB.Tests")]

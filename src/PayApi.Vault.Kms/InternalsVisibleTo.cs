using System.Runtime.CompilerServices;

// The tests check the wrapped-key parser and the buffer wiping directly, not only through KMS round trips.
[assembly: InternalsVisibleTo("PayApi.Vault.Kms.Tests")]

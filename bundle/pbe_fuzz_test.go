package bundle

import "testing"

// FuzzReadEncrypted feeds Read mutations of the encrypted keys and the PFX
// without a MAC, whose parameters chaintool reads itself (PBES2 with any
// PRF, PBES1 refused, a MAC added for go-pkcs12): never a panic, and an
// error is one line.
func FuzzReadEncrypted(f *testing.F) {
	for _, name := range []string{"leaf-pkcs8-sha512.key", "leaf-pkcs8-3des-sha1.key", "leaf-pkcs8-v1.key", "nomac.pfx"} {
		f.Add(readFixture(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Read(data, "fuzz", fuzzPassword)
		checkReadResult(t, got, err)
	})
}

package bundle

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestReadPBES2OpenSSLMatrix: a key encrypted by `openssl pkcs8 -topk8`
// with each PBKDF2 PRF and each PBES2 cipher OpenSSL offers decrypts to the
// same key, or, for the ciphers Go lacks, is refused naming the cipher
// before the password is asked for.
func TestReadPBES2OpenSSLMatrix(t *testing.T) {
	dir := t.TempDir()
	leafKey, err := filepath.Abs(filepath.Join("..", "testdata", "leaf.key"))
	if err != nil {
		t.Fatal(err)
	}
	want := fixtureLeafKey(t)
	legacy := []string{"-provider", "legacy", "-provider", "default"}
	tests := []struct {
		name  string
		args  []string
		error string // "" when it decrypts
	}{
		{"hmacWithMD5", []string{"-v2", "aes-256-cbc", "-v2prf", "hmacWithMD5"}, ""},
		{"hmacWithSHA1", []string{"-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA1"}, ""},
		{"hmacWithSHA224", []string{"-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA224"}, ""},
		{"hmacWithSHA256", []string{"-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA256"}, ""},
		{"hmacWithSHA384", []string{"-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA384"}, ""},
		{"hmacWithSHA512", []string{"-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA512"}, ""},
		{"hmacWithSHA512-224", []string{"-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA512-224"}, ""},
		{"hmacWithSHA512-256", []string{"-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA512-256"}, ""},
		{"aes-128-cbc", []string{"-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA512"}, ""},
		{"aes-192-cbc", []string{"-v2", "aes-192-cbc"}, ""},
		{"des-ede3-cbc", []string{"-v2", "des-ede3-cbc"}, ""},
		{"des-cbc", append([]string{"-v2", "des-cbc"}, legacy...), ""},
		{"camellia-256-cbc", []string{"-v2", "camellia-256-cbc"},
			"PEM block 1 (ENCRYPTED PRIVATE KEY, line 1): PBES2 cipher camellia-256-cbc is not supported"},
		{"PBE-SHA1-RC2-40", append([]string{"-v1", "PBE-SHA1-RC2-40"}, legacy...),
			"PEM block 1 (ENCRYPTED PRIVATE KEY, line 1): PBES1 (PBE-SHA1-RC2-40) encryption is not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := tt.name + ".key"
			args := append([]string{"pkcs8", "-topk8", "-in", leafKey, "-passout", "pass:" + readFixturePassword, "-out", out}, tt.args...)
			openssl(t, dir, args...)
			data, err := os.ReadFile(filepath.Join(dir, out))
			if err != nil {
				t.Fatal(err)
			}
			if tt.error != "" {
				_, err := Read(data, out, forbidPassword(t))
				if !errors.Is(err, ErrUnsupportedEncryption) || err.Error() != tt.error {
					t.Errorf("got %v, want ErrUnsupportedEncryption %q", err, tt.error)
				}
				return
			}
			got, err := Read(data, out, countingPassword(readFixturePassword, new(int)))
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Keys) != 1 || !sameKey(got.Keys[0], want) {
				t.Errorf("got %d keys, want leaf.key", len(got.Keys))
			}
			if _, err := Read(data, out, countingPassword("wrong", new(int))); !errors.Is(err, ErrWrongPassword) {
				t.Errorf("wrong password: got %v, want ErrWrongPassword", err)
			}
		})
	}
}

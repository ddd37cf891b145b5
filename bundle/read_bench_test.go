package bundle

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

// Benchmarks of the readers on the OpenSSL fixtures (go test -bench Read
// ./bundle). Tests never assert on time.

func benchmarkRead(b *testing.B, name string) {
	data := readFixture(b, name)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Read(data, name, fuzzPassword); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadPEMText(b *testing.B)      { benchmarkRead(b, "text-crlf.pem") }
func BenchmarkReadDER(b *testing.B)          { benchmarkRead(b, "leaf.der") }
func BenchmarkReadPKCS7(b *testing.B)        { benchmarkRead(b, "chain.p7c") }
func BenchmarkReadPFXModern(b *testing.B)    { benchmarkRead(b, "modern.pfx") }
func BenchmarkReadPFXLegacy(b *testing.B)    { benchmarkRead(b, "legacy-3des.pfx") }
func BenchmarkReadEncryptedKey(b *testing.B) { benchmarkRead(b, "leaf-pkcs8-encrypted.key") }

// BenchmarkReadManyBlocks reads 100,000 small skipped PEM blocks (3.9 MB),
// which took 3.9 s when each block's line number was counted from the
// start of the input.
func BenchmarkReadManyBlocks(b *testing.B) {
	data := bytes.Repeat([]byte("-----BEGIN X-----\nAAAA\n-----END X-----\n"), 100_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Read(data, "many", nil); !errors.Is(err, ErrNothingFound) {
			b.Fatal(err)
		}
	}
}

func BenchmarkSummarize(b *testing.B) {
	leaf, _, _ := fixtureChain(b)
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		Summarize(leaf, now)
	}
}

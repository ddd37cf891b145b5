package grade

import (
	"bytes"
	"context"
	"crypto/tls"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chaintool/chaintool/internal/testpki"
)

// BenchmarkGrade grades an in-process crypto/tls server in the A+ profile:
// every probe, simulation, the certificate check and the rating.
func BenchmarkGrade(b *testing.B) {
	addr, roots := goServer(b, &tls.Config{MinVersion: tls.VersionTLS12, CipherSuites: []uint16{0xC02B, 0xC02C, 0xCCA9}}, nil)
	opts := Options{ServerName: "localhost", Roots: roots, At: testpki.Now}
	for b.Loop() {
		if _, err := Grade(context.Background(), addr, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadFlight parses a real TLS 1.2 flight of nginx (ServerHello,
// certificates, ServerKeyExchange, ServerHelloDone).
func BenchmarkReadFlight(b *testing.B) {
	data := corpusBytes(b, filepath.Join("testdata", "fuzz", "FuzzReadFlight", "nginx-aplus-tls12"))
	for b.Loop() {
		if f, err := readFlight(bytes.NewReader(data)); err != nil || !f.done {
			b.Fatal(err)
		}
	}
}

// corpusBytes reads the []byte of a one-value fuzz corpus file.
func corpusBytes(b testing.TB, path string) []byte {
	b.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	_, quoted, _ := strings.Cut(string(raw), "[]byte(")
	v, err := strconv.Unquote(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(quoted), ")")))
	if err != nil {
		b.Fatal(err)
	}
	return []byte(v)
}

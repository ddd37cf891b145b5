package main

import (
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/chaintool/chaintool/internal/testpki"
)

func init() { pkiRecipes["grade-server"] = recipeGradeServer }

// recipeGradeServer starts, inside the test process, an HTTPS server set
// up for an A+ (TLS 1.2 and 1.3, ECDHE with AEAD, P-256 chain, two-year
// HSTS) on a free loopback port, and writes root.pem and targets.txt (its
// address, then a closed port when the argument "down" is given). The
// server lives as long as the test process: scripts cannot stop it, and
// every script gets its own.
func recipeGradeServer(dir string, args []string) error {
	root := testpki.NewRoot("Grade Script Root")
	inter := root.NewIntermediate("Grade Script Intermediate")
	leaf := inter.NewLeaf("localhost", testpki.DNS("localhost"), testpki.IP("127.0.0.1"))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
			_, _ = io.WriteString(w, "ok\n")
		}),
		TLSConfig: &tls.Config{
			MinVersion:   tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305},
			Certificates: []tls.Certificate{{Certificate: [][]byte{leaf.DER(), inter.DER()}, PrivateKey: leaf.Key}},
		},
		ErrorLog:          log.New(io.Discard, "", 0),
		ReadHeaderTimeout: 5 * time.Second,
	}
	go func() { _ = srv.ServeTLS(ln, "", "") }()
	targets := ln.Addr().String() + "\n"
	if len(args) > 0 && args[0] == "down" {
		closed, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		targets += closed.Addr().String() + "\n"
		closed.Close()
	}
	if err := os.WriteFile(filepath.Join(dir, "targets.txt"), []byte(targets), 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "root.pem"), root.PEM(), 0o600)
}

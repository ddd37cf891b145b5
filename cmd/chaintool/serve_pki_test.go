package main

import (
	"os"
	"path/filepath"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/internal/testpki"
)

func init() { pkiRecipes["serve-chains"] = recipeServeChains }

// recipeServeChains writes bundles for serve, good and broken, under one
// root for localhost, 127.0.0.1 and ::1:
//
//	root.pem        the root; other-root.pem another one
//	server.pem      leaf, inter, leaf key        good (the seed's shape)
//	full.pem        leaf, inter, root, leaf key  good, root sent too
//	chain.pem       leaf, inter; leaf.key apart  good with --key
//	site.pfx        PKCS#12 of server.pem, password in pw.txt
//	reversed.pem    inter, leaf, leaf key        wrong order
//	nointer.pem     leaf, leaf key               missing intermediate
//	expired.pem     expired leaf, inter, its key expired
//	other.key       a key of no certificate      key mismatch
func recipeServeChains(dir string, _ []string) error {
	now := testpki.Now
	root := testpki.NewRoot("Serve Root")
	inter := root.NewIntermediate("Serve Intermediate")
	names := []testpki.Option{testpki.DNS("localhost"), testpki.IP("127.0.0.1", "::1")}
	leaf := inter.NewLeaf("localhost", names...)
	expired := inter.NewLeaf("localhost", append(names, testpki.Validity(now.AddDate(0, 0, -100), now.AddDate(0, 0, -10)))...)
	other := &testpki.Cert{Key: testpki.NewKey(testpki.ECDSAP256)}
	pfx, err := bundle.EncodePFX(leaf.Key, leaf.Cert, testpki.X509(inter), "secret", bundle.PFXModern)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "site.pfx"), pfx, 0o600); err != nil {
		return err
	}
	return writePKIFiles(dir, map[string][]byte{
		"root.pem":       root.PEM(),
		"other-root.pem": testpki.NewRoot("Other Root").PEM(),
		"server.pem":     append(testpki.ChainPEM(leaf, inter), leaf.KeyPEM()...),
		"full.pem":       append(testpki.ChainPEM(leaf, inter, root), leaf.KeyPEM()...),
		"chain.pem":      testpki.ChainPEM(leaf, inter),
		"leaf.key":       leaf.KeyPEM(),
		"pw.txt":         []byte("secret\n"),
		"reversed.pem":   append(testpki.ChainPEM(inter, leaf), leaf.KeyPEM()...),
		"nointer.pem":    append(leaf.PEM(), leaf.KeyPEM()...),
		"expired.pem":    append(testpki.ChainPEM(expired, inter), expired.KeyPEM()...),
		"other.key":      other.KeyPEM(),
	})
}

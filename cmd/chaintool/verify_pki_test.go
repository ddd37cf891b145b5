package main

import (
	"crypto/x509"
	"time"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/internal/testpki"
)

func init() { pkiRecipes["verify-chains"] = recipeVerifyChains }

// recipeVerifyChains writes one good chain for localhost and a file for
// each problem verify reports, all under one root:
//
//	root.pem leaf.pem leaf.key inter.pem  the parts
//	chain.pem      leaf, inter             good
//	full.pem       leaf, inter, root       good, contains the anchor
//	combined.pem   leaf, inter, leaf key   good, key inside
//	reversed.pem   root, inter, leaf       wrong order
//	other.key      an ECDSA key            key mismatch
//	rsa.key        an RSA key              key mismatch (another type)
//	expired.pem    leaf expired, inter     expired
//	soon.pem       leaf, inter expiring in 10 days
//	unrelated.pem  leaf, inter, a stranger's leaf
//	self.pem       a self-signed localhost certificate and its key
//	other-root.pem another root
//	chain.pfx      leaf, inter, leaf key   PKCS#12 with the password in pw.txt
func recipeVerifyChains(dir string, _ []string) error {
	now := testpki.Now
	root := testpki.NewRoot("Test Root")
	inter := root.NewIntermediate("Test Intermediate")
	names := []testpki.Option{testpki.DNS("localhost"), testpki.IP("127.0.0.1", "::1")}
	leaf := inter.NewLeaf("localhost", names...)
	expired := inter.NewLeaf("localhost", append(names, testpki.Validity(now.AddDate(0, 0, -100), now.AddDate(0, 0, -10)))...)
	shortInter := root.NewIntermediate("Short Intermediate", testpki.Validity(now.AddDate(-1, 0, 0), now.Add(10*24*time.Hour+time.Hour)))
	soonLeaf := shortInter.NewLeaf("localhost", names...)
	stranger := testpki.NewRoot("Stranger Root").NewLeaf("stranger.test")
	self := testpki.NewRoot("localhost", append(names, testpki.NotCA(), testpki.EKU(x509.ExtKeyUsageServerAuth),
		testpki.KeyUsage(x509.KeyUsageDigitalSignature), testpki.Validity(now.AddDate(0, 0, -1), now.AddDate(0, 0, 89)))...)
	rsaKey := &testpki.Cert{Key: testpki.NewKey(testpki.RSA2048)}
	otherKey := &testpki.Cert{Key: testpki.NewKey(testpki.ECDSAP256)}
	pfx, err := bundle.EncodePFX(leaf.Key, leaf.Cert, []*x509.Certificate{inter.Cert}, "s3cret", bundle.PFXModern)
	if err != nil {
		return err
	}
	return writePKIFiles(dir, map[string][]byte{
		"chain.pfx":      pfx,
		"pw.txt":         []byte("s3cret\n"),
		"root.pem":       root.PEM(),
		"inter.pem":      inter.PEM(),
		"leaf.pem":       leaf.PEM(),
		"leaf.key":       leaf.KeyPEM(),
		"chain.pem":      testpki.ChainPEM(leaf, inter),
		"full.pem":       testpki.ChainPEM(leaf, inter, root),
		"combined.pem":   append(testpki.ChainPEM(leaf, inter), leaf.KeyPEM()...),
		"reversed.pem":   testpki.ChainPEM(root, inter, leaf),
		"other.key":      otherKey.KeyPEM(),
		"rsa.key":        rsaKey.KeyPEM(),
		"expired.pem":    testpki.ChainPEM(expired, inter),
		"soon.pem":       testpki.ChainPEM(soonLeaf, shortInter),
		"unrelated.pem":  testpki.ChainPEM(leaf, inter, stranger),
		"self.pem":       append(self.PEM(), self.KeyPEM()...),
		"other-root.pem": testpki.NewRoot("Other Root").PEM(),
	})
}

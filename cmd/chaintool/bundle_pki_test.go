package main

import (
	"github.com/chaintool/chaintool/internal/testpki"
)

func init() { pkiRecipes["bundle"] = recipeBundle }

// recipeBundle writes the graphs the bundle scripts untangle, all for
// localhost, 127.0.0.1 and ::1:
//
//	root.pem inter.pem leaf.pem leaf.key    the real chain
//	inter.key                               the intermediate's key
//	chain.pem (leaf, inter) full.pem (leaf, inter, root)
//	leaf2.pem leaf2.key                     a second leaf under inter
//	other.key                               a key of no certificate
//	impostor.pem                            inter's name and key ID, another key
//	oldroot.pem interx.pem                  inter cross-signed by an expired root
//	interold.pem                            inter's expired predecessor (same key)
//	rootb.pem interb.pem                    inter cross-signed by a second valid root
//	noise.pem                               three unrelated CA certificates
//	looproot.pem loopa.pem loopb.pem loopax.pem loopleaf.pem
//	                                        A and B issue each other (loopax: A under B)
//	aialeaf.pem                             a leaf under inter naming the AIA URL
//	                                        http://127.0.0.1:1/inter.cer, where nothing listens
//
// Args: the key type (ecdsa, rsa2048, ...; default ecdsa).
func recipeBundle(dir string, args []string) error {
	kt := testpki.ECDSAP256
	if len(args) > 0 {
		var err error
		if kt, err = parseKeyType(args[0]); err != nil {
			return err
		}
	}
	k := testpki.Key(kt)
	root := testpki.NewRoot("Bundle Root", k)
	inter := root.NewIntermediate("Bundle Intermediate", k)
	names := []testpki.Option{k, testpki.DNS("localhost"), testpki.IP("127.0.0.1", "::1")}
	leaf := inter.NewLeaf("localhost", names...)
	leaf2 := inter.NewLeaf("api.localhost", k)
	otherRoot := testpki.NewRoot("Bundle Other Root")
	oldRoot := testpki.NewRoot("Bundle Old Root", testpki.Expired())
	rootB := testpki.NewRoot("Bundle Root B")
	loopRoot := testpki.NewRoot("Loop Root")
	loopA := loopRoot.NewIntermediate("Loop A")
	loopB := loopA.NewIntermediate("Loop B")
	noise := testpki.ChainPEM(otherRoot.NewIntermediate("Noise 1"), otherRoot.NewIntermediate("Noise 2"), testpki.NewRoot("Noise Root"))
	return writePKIFiles(dir, map[string][]byte{
		"root.pem":     root.PEM(),
		"inter.pem":    inter.PEM(),
		"inter.key":    inter.KeyPEM(),
		"leaf.pem":     leaf.PEM(),
		"leaf.key":     leaf.KeyPEM(),
		"chain.pem":    testpki.ChainPEM(leaf, inter),
		"full.pem":     testpki.ChainPEM(leaf, inter, root),
		"leaf2.pem":    leaf2.PEM(),
		"leaf2.key":    leaf2.KeyPEM(),
		"other.key":    testpki.NewRoot("unused").KeyPEM(),
		"impostor.pem": testpki.Impostor(inter, otherRoot).PEM(),
		"oldroot.pem":  oldRoot.PEM(),
		"interx.pem":   oldRoot.CrossSign(inter).PEM(),
		"interold.pem": root.CrossSign(inter, testpki.Expired()).PEM(),
		"rootb.pem":    rootB.PEM(),
		"interb.pem":   rootB.CrossSign(inter).PEM(),
		"noise.pem":    noise,
		"looproot.pem": loopRoot.PEM(),
		"loopa.pem":    loopA.PEM(),
		"loopb.pem":    loopB.PEM(),
		"loopax.pem":   loopB.CrossSign(loopA).PEM(),
		"loopleaf.pem": loopA.NewLeaf("loop.localhost").PEM(),
		"aialeaf.pem":  inter.NewLeaf("aia.localhost", testpki.AIA("http://127.0.0.1:1/inter.cer")).PEM(),
	})
}

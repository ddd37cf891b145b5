package main

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/chaintool/chaintool/bundle"
	"github.com/urfave/cli/v2"
)

func convertCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "convert",
		Usage:     "convert certificates and keys to PEM, DER or PFX",
		ArgsUsage: "IN... --to pem|der|pfx [-o OUT]",
		Description: `Reads every input (PEM in any order, DER, PKCS#7 .p7b/.p7c, PKCS#12
.pfx/.p12, private keys in any encoding, "-" for stdin) and writes what
they hold in one format:

  pem  certificates in the order given, then the private keys (PKCS#8);
       --no-keys leaves the keys out.
  der  one certificate (or, with no certificate, one private key). With
       several, pick one with --index N or write each with --split.
  pfx  the private key, its certificate and the other certificates as
       PKCS#12; without a key, a certificate-only trust store (Java style).
       --pfx-profile modern (AES-256, SHA-256 MAC; the default) or legacy
       (3DES, SHA-1 MAC; for Windows Server 2016 and Java 8).

Without -o the output goes to stdout, unless it holds a private key: that
needs -o FILE, or -o - to mean stdout. Duplicate certificates and keys are
written once. Files are created only when complete, never overwritten
without --force, and are 0600 when they hold a private key. Binary output
(DER, PFX) is never written to a terminal. Passwords: --password-file or
$CHAINTOOL_PASSWORD for the inputs, --out-password-file or
$CHAINTOOL_OUT_PASSWORD for a written PFX (else a prompt on a terminal).

EXAMPLES:
   chaintool convert server.pfx --to pem -o server.pem
   chaintool convert leaf.der intermediate.crt --to pem -o chain.pem
   chaintool convert bundle.p7b --to der --split -o cert.der    # cert-1.der, cert-2.der
   chaintool convert leaf.pem intermediates.pem leaf.key --to pfx -o site.pfx
   chaintool convert leaf.pem leaf.key --to pfx --pfx-profile legacy -o win2016.pfx
   chaintool convert old.pfx --password-file pw.txt --to pem --no-keys

EXIT CODES:
   0 written; 2 usage, input or I/O error (nothing is written)`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "to", Usage: "output `FORMAT`: pem, der or pfx (default: from the -o extension)"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write to `FILE` (default: stdout; with a private key, -o - for stdout)", TakesFile: true},
			forceFlag(),
			&cli.BoolFlag{Name: "no-keys", Usage: "leave private keys out"},
			&cli.IntFlag{Name: "index", Usage: "write only the `N`th certificate (1 = first, in input order)"},
			&cli.BoolFlag{Name: "split", Usage: "pem, der: write each certificate to its own file, OUT-1.EXT, OUT-2.EXT, ..."},
			&cli.StringFlag{Name: "pfx-profile", Value: string(bundle.PFXModern), Usage: "pfx algorithms, `PROFILE` modern or legacy"},
			passwordFlag(),
			outPasswordFlag(),
		},
		Action: func(c *cli.Context) error { return e.convert(c) },
	}
}

// convertOptions are the flags of one convert run, checked.
type convertOptions struct {
	to, out      string
	force, split bool
	noKeys       bool
	index        int
	profile      bundle.PFXProfile
}

func convertFlags(c *cli.Context) (convertOptions, error) {
	o := convertOptions{
		to: strings.ToLower(c.String("to")), out: c.String("output"), force: c.Bool("force"),
		split: c.Bool("split"), noKeys: c.Bool("no-keys"), index: c.Int("index"),
		profile: bundle.PFXProfile(strings.ToLower(c.String("pfx-profile"))),
	}
	if o.to == "" {
		o.to = formatFromExtension(o.out)
	}
	switch {
	case c.NArg() == 0:
		return o, usageError("convert: give at least one input file (or - for stdin)")
	case o.to == "":
		return o, usageError("convert: say the output format with --to pem, --to der or --to pfx")
	case o.to != "pem" && o.to != "der" && o.to != "pfx":
		return o, usageError("convert: unknown format %q for --to (want pem, der or pfx)", o.to)
	case o.profile != bundle.PFXModern && o.profile != bundle.PFXLegacy:
		return o, usageError("convert: unknown --pfx-profile %q (want modern or legacy)", o.profile)
	case c.IsSet("pfx-profile") && o.to != "pfx":
		return o, usageError("convert: --pfx-profile goes with --to pfx")
	case o.split && o.to == "pfx":
		return o, usageError("convert: --split works with --to pem or --to der")
	case o.split && o.out == "":
		return o, usageError("convert: --split needs -o OUT to name the files")
	case o.split && o.index != 0:
		return o, usageError("convert: give --split or --index, not both")
	case c.IsSet("index") && o.index < 1:
		return o, usageError("convert: --index counts from 1")
	}
	return o, nil
}

// formatFromExtension guesses --to from an unambiguous output name.
func formatFromExtension(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".pem":
		return "pem"
	case ".der":
		return "der"
	case ".pfx", ".p12":
		return "pfx"
	}
	return ""
}

func (e *env) convert(c *cli.Context) error {
	o, err := convertFlags(c)
	if err != nil {
		return err
	}
	inputs, err := e.readInputs(c, c.Args().Slice(), inputOptions{})
	if err != nil {
		return err
	}
	certs, keys := e.convertCollect(inputs)
	if o.noKeys {
		keys = nil
	}
	if o.index > 0 {
		if o.index > len(certs) {
			return fmt.Errorf("convert: --index %d, but the inputs hold %s", o.index, plural(len(certs), "certificate"))
		}
		certs = certs[o.index-1 : o.index]
	}
	files, err := e.convertOutput(c, o, certs, keys)
	if err != nil || files == nil {
		return err
	}
	return writeFiles(files, o.force)
}

// convertOutput encodes the result. It returns the files to write, or nil
// after writing to stdout.
func (e *env) convertOutput(c *cli.Context, o convertOptions, certs []*x509.Certificate, keys []crypto.Signer) ([]outputFile, error) {
	if len(certs) == 0 && len(keys) == 0 {
		return nil, fmt.Errorf("convert: nothing to write: the inputs hold only private keys, and --no-keys leaves them out")
	}
	if o.split {
		if len(keys) > 0 {
			e.warnf("--split writes certificates only: the private key is not written")
		}
		return convertSplit(o, certs)
	}
	if o.to == "der" && len(certs) == 1 && len(keys) > 0 {
		e.warnf("a DER file holds one certificate: the private key is not written")
	}
	secret := len(keys) > 0 && !(o.to == "der" && len(certs) > 0)
	if secret && o.out == "" {
		// A shell redirect would create the file readable by others.
		refusal := &exitError{code: 2, msg: "the output holds the private key: give the file with -o FILE (created 0600), or -o - for stdout"}
		if len(certs) > 0 {
			refusal.hint = "--no-keys leaves the keys out"
		}
		return nil, refusal
	}
	var data []byte
	var err error
	switch o.to {
	case "pem":
		data, err = convertPEM(certs, keys)
	case "der":
		data, err = convertDER(certs, keys)
	case "pfx":
		data, err = e.convertPFX(c, o.profile, certs, keys)
	}
	if err != nil {
		return nil, err
	}
	if o.out == "" || o.out == "-" {
		return nil, e.writeStdout(data, o.to != "pem")
	}
	return []outputFile{{path: o.out, data: data, secret: secret}}, nil
}

// convertCollect gathers every certificate and key in input order, each
// once, and says once per certificate how many extra copies were dropped.
func (e *env) convertCollect(inputs []*bundle.Contents) ([]*x509.Certificate, []crypto.Signer) {
	var certs []*x509.Certificate
	var keys []crypto.Signer
	seen := map[[32]byte]int{} // index in certs
	extra := map[int]int{}     // extra copies per index
	seenKeys := map[string]bool{}
	for _, in := range inputs {
		for _, cert := range in.Certs {
			sum := sha256.Sum256(cert.Raw)
			if i, ok := seen[sum]; ok {
				extra[i]++
				continue
			}
			seen[sum] = len(certs)
			certs = append(certs, cert)
		}
		for _, k := range in.Keys {
			if pub, err := x509.MarshalPKIXPublicKey(k.Public()); err == nil {
				if seenKeys[string(pub)] {
					continue
				}
				seenKeys[string(pub)] = true
			}
			keys = append(keys, k)
		}
	}
	e.warnDuplicates(certs, extra)
	return certs, keys
}

// maxDuplicateWarnings bounds the warning lines about duplicates.
const maxDuplicateWarnings = 5

func (e *env) warnDuplicates(certs []*x509.Certificate, extra map[int]int) {
	shown := 0
	for i, cert := range certs {
		n := extra[i]
		if n == 0 {
			continue
		}
		if shown == maxDuplicateWarnings {
			e.warnf("%d more certificates appear more than once; each written once", len(extra)-shown)
			return
		}
		e.warnf("certificate %q appears %d times; written once", bundle.SubjectName(cert), n+1)
		shown++
	}
}

func (e *env) warnf(format string, args ...any) {
	fmt.Fprintf(e.stderr, "chaintool: warning: %s\n", oneLine(fmt.Sprintf(format, args...)))
}

func convertPEM(certs []*x509.Certificate, keys []crypto.Signer) ([]byte, error) {
	var b bytes.Buffer
	if err := bundle.EncodePEM(&b, certs, keys); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// convertDER writes the one certificate, or with none the one key (PKCS#8).
func convertDER(certs []*x509.Certificate, keys []crypto.Signer) ([]byte, error) {
	switch {
	case len(certs) == 1:
		return certs[0].Raw, nil
	case len(certs) > 1:
		return nil, &exitError{code: 2,
			msg:  fmt.Sprintf("convert: the inputs hold %s (%s) and a DER file holds one", plural(len(certs), "certificate"), numberedCerts(certs)),
			hint: "pick one with --index N, or write each to its own file with --split -o OUT.der"}
	case len(keys) > 1:
		return nil, &exitError{code: 2, msg: fmt.Sprintf("convert: the inputs hold %d private keys and a DER file holds one", len(keys)),
			hint: "convert one key file at a time"}
	}
	der, err := x509.MarshalPKCS8PrivateKey(keys[0])
	if err != nil {
		return nil, fmt.Errorf("convert: encoding private key: %w", err)
	}
	return der, nil
}

// numberedCerts names the certificates with their --index numbers.
func numberedCerts(certs []*x509.Certificate) string {
	parts := make([]string, len(certs))
	for i, c := range certs {
		parts[i] = fmt.Sprintf("%d = %s", i+1, bundle.SubjectName(c))
	}
	return strings.Join(parts, ", ")
}

// convertPFX puts the key, the certificate it belongs to and every other
// certificate in a PKCS#12 file; without a key it writes a trust store.
func (e *env) convertPFX(c *cli.Context, profile bundle.PFXProfile, certs []*x509.Certificate, keys []crypto.Signer) ([]byte, error) {
	var key crypto.Signer
	var leaf *x509.Certificate
	others := certs
	switch {
	case len(keys) > 1:
		return nil, &exitError{code: 2, msg: fmt.Sprintf("convert: the inputs hold %d private keys and a PFX file holds one", len(keys)),
			hint: "give only the key of the server certificate, or add --no-keys for a certificate-only file"}
	case len(keys) == 1:
		key = keys[0]
		i := keyCertIndex(certs, key)
		if i < 0 {
			return nil, &exitError{code: 2, msg: "convert: the private key belongs to none of the certificates given",
				hint: "add the key's certificate, or check that the key and certificate files go together"}
		}
		leaf = certs[i]
		others = append(append([]*x509.Certificate{}, certs[:i]...), certs[i+1:]...)
	}
	password, err := e.outputPassword(c)
	if err != nil {
		return nil, err
	}
	data, err := bundle.EncodePFX(key, leaf, others, password, profile)
	if err != nil {
		return nil, fmt.Errorf("convert: %w", err)
	}
	return data, nil
}

func keyCertIndex(certs []*x509.Certificate, key crypto.Signer) int {
	for i, c := range certs {
		if bundle.KeyMatches(c, key) {
			return i
		}
	}
	return -1
}

// convertSplit writes one file per certificate: OUT-1.EXT, OUT-2.EXT, ...
func convertSplit(o convertOptions, certs []*x509.Certificate) ([]outputFile, error) {
	if len(certs) == 0 {
		return nil, fmt.Errorf("convert: --split writes certificates, and the inputs hold none")
	}
	ext := filepath.Ext(o.out)
	stem := strings.TrimSuffix(o.out, ext)
	if ext == "" {
		ext = "." + o.to
	}
	files := make([]outputFile, len(certs))
	for i, cert := range certs {
		data := cert.Raw
		if o.to == "pem" {
			data, _ = convertPEM([]*x509.Certificate{cert}, nil)
		}
		files[i] = outputFile{path: fmt.Sprintf("%s-%d%s", stem, i+1, ext), data: data}
	}
	return files, nil
}

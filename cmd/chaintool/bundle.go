package main

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/chaintool/chaintool/bundle"
	"github.com/urfave/cli/v2"
)

func bundleCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "bundle",
		Usage:     "build the one correct chain from a pile of files, written for your server",
		ArgsUsage: "INPUT...",
		Description: `Reads every INPUT (a file in any format, a folder of files, or - for stdin),
finds the leaf (the certificate of the private key, or the one end-entity
certificate), builds the path to a trust anchor by verified signatures,
fetching missing intermediates from --pool and then from the certificates'
AIA URLs, and writes the chain in the shape the server wants. Duplicates,
unrelated certificates, expired links and impostors are left out; the root
too, unless --include-root. Without -o the chain goes to stdout.

Targets (--for): nginx (fullchain.pem + privkey.pem in the -o folder),
apache (cert.pem + chain.pem + privkey.pem), haproxy and python (one PEM:
chain then key), pfx and pfx-legacy (PKCS#12), k8s (kubernetes.io/tls Secret).

EXAMPLES:
   chaintool bundle site.crt intermediate.crt root.crt > chain.pem
   chaintool bundle --key site.key --for nginx -o /etc/nginx/tls/ downloads/
   chaintool bundle --key site.key --for python -o server.pem site.crt
   chaintool bundle --for pfx --out-password-file pw.txt -o site.pfx site.crt site.key
   chaintool bundle --json --offline --roots root.pem leaf.pem pool/

EXIT CODES:
   0 written; 1 no valid chain, no leaf or several leaves, or the key matches
   no certificate; 2 usage, input or I/O error`,
		Flags: []cli.Flag{
			&cli.PathFlag{Name: "key", Usage: "the private key in `FILE` (a key among the inputs counts too)", TakesFile: true},
			&cli.StringSliceFlag{Name: "pool", Usage: "extra candidate intermediates: a `FILE` or folder; repeat for several"},
			rootsFlag(),
			&cli.BoolFlag{Name: "include-root", Usage: "also write the root certificate"},
			&cli.StringFlag{Name: "for", Usage: "output shape `TARGET`: pem (the chain in one PEM, the default), nginx, apache, haproxy, python, pfx, pfx-legacy or k8s"},
			&cli.BoolFlag{Name: "with-key", Usage: "put the private key after the chain in the single PEM"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write to `PATH`: a file, or a folder for nginx and apache (default: stdout)", TakesFile: true},
			forceFlag(),
			&cli.BoolFlag{Name: "offline", Usage: "never fetch missing intermediates over the network"},
			&cli.StringFlag{Name: "prefer-root", Usage: "among valid paths, prefer the one ending at the root `NAME` (subject CN or SHA-256)"},
			&cli.StringFlag{Name: "at", Usage: "judge validity at `TIME` (RFC 3339, e.g. 2026-03-01T12:00:00Z; default now)"},
			&cli.BoolFlag{Name: "json", Usage: "print a report as JSON: the chain and where each certificate came from, what was dropped and why, the alternatives (schema in docs/bundle.md)"},
			passwordFlag(),
			outPasswordFlag(),
		},
		Action: e.bundle,
	}
}

// bundleRun is what the flags asked for.
type bundleRun struct {
	target      bundle.Target
	output      string // file or folder; "" for stdout
	toStdout    bool
	includeRoot bool
	withKey     bool
	json        bool
	at          time.Time
}

func (e *env) bundle(c *cli.Context) error {
	if c.NArg() == 0 {
		return usageError("bundle: give at least one INPUT file, folder or -")
	}
	r, err := parseBundleFlags(c)
	if err != nil {
		return err
	}
	// A run builds its pile once and keeps it to the end: collecting
	// garbage every time the heap doubles only costs time (a tenth of a
	// 10,000-certificate run, measured with bench/bundle.sh).
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	pile, keys, err := e.bundleInputs(c)
	if err != nil {
		return err
	}
	if (r.target.NeedsKey() || r.withKey) && len(keys) == 0 {
		return &exitError{code: 2, msg: fmt.Sprintf("--for %s writes the private key, and none was given", r.target),
			hint: "give it with --key FILE (or put it among the inputs)"}
	}
	roots, err := bundle.LoadRoots(c.StringSlice("roots"), e.inputPassword(c))
	if err != nil {
		return err
	}
	opts := bundle.BuildOptions{Roots: roots, At: r.at, PreferRoot: c.String("prefer-root"), ListDropped: r.json}
	if !c.Bool("offline") {
		opts.AIA = e.aiaFetcher()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	chain, err := bundle.Build(ctx, pile, keys, opts)
	if err != nil {
		return e.bundleFailed(err, r.json)
	}
	return e.writeBundle(c, r, chain)
}

func parseBundleFlags(c *cli.Context) (*bundleRun, error) {
	target, err := bundle.ParseTarget(c.String("for"))
	if err != nil {
		return nil, usageError("--for: %v", err)
	}
	r := &bundleRun{target: target, output: c.String("output"), includeRoot: c.Bool("include-root"),
		withKey: c.Bool("with-key"), json: c.Bool("json")}
	if s := c.String("at"); s != "" {
		if r.at, err = parseAt(s); err != nil {
			return nil, err
		}
	}
	switch target {
	case bundle.TargetPEM, bundle.TargetHAProxy, bundle.TargetPython:
	default:
		if r.withKey {
			return nil, usageError("--with-key puts the key into a single PEM; --for %s has its own key file", target)
		}
	}
	explicitStdout := r.output == "-"
	if explicitStdout && r.json {
		return nil, usageError("--json and -o - would both write to stdout: give -o FILE")
	}
	if r.output == "" || explicitStdout {
		r.output = ""
		switch {
		case target.MultiFile():
			return nil, usageError("--for %s writes several files: give the folder with -o DIR", target)
		case (target.NeedsKey() || r.withKey) && !explicitStdout:
			return nil, usageError("the output holds the private key: give the file with -o FILE (or -o - for stdout)")
		}
		r.toStdout = !r.json
	}
	return r, nil
}

// bundleInputs reads the inputs and the pool into one pile, and the keys
// from --key or else from the inputs.
func (e *env) bundleInputs(c *cli.Context) (*bundle.Pile, []crypto.Signer, error) {
	if err := stdinOnce(append(c.Args().Slice(), c.StringSlice("pool")...)); err != nil {
		return nil, nil, err
	}
	pw := e.inputPassword(c)
	pile := bundle.NewPile()
	var keys []crypto.Signer
	for _, arg := range c.Args().Slice() {
		got, err := e.readIntoPile(pile, arg, bundle.SourceInput, pw)
		if err != nil {
			return nil, nil, err
		}
		keys = append(keys, got...)
	}
	for _, arg := range c.StringSlice("pool") {
		if _, err := e.readIntoPile(pile, arg, bundle.SourcePool, pw); err != nil {
			return nil, nil, err
		}
	}
	if path := c.Path("key"); path != "" {
		got, err := readKeyFile(path, pw)
		if err != nil {
			return nil, nil, err
		}
		keys = got
	}
	return pile, keys, nil
}

// readIntoPile reads one argument: "-" for stdin, a folder (every regular
// file in it, in name order, dotfiles skipped) or a file.
func (e *env) readIntoPile(pile *bundle.Pile, arg string, src bundle.Source, pw bundle.PasswordFunc) ([]crypto.Signer, error) {
	if arg == "-" {
		keys, err := pile.ReadStream(e.stdin, bundle.Origin{Source: src, Name: "stdin"}, pw)
		if err != nil {
			return nil, fmt.Errorf("stdin: %w", err)
		}
		return keys, nil
	}
	st, err := os.Stat(arg)
	if err != nil || !st.IsDir() {
		return pile.ReadFile(arg, src, pw)
	}
	paths, err := dirFiles(arg)
	if err != nil {
		return nil, err
	}
	var keys []crypto.Signer
	for _, path := range paths {
		got, err := pile.ReadFile(path, src, pw)
		if err != nil {
			return nil, err
		}
		keys = append(keys, got...)
	}
	return keys, nil
}

// aiaFetcher fetches with the default limits and cache, showing progress
// when stderr is a terminal.
func (e *env) aiaFetcher() *bundle.AIAFetcher {
	f := bundle.NewAIAFetcher()
	if isTerminal(e.stderr) {
		f.Progress = func(url string) { fmt.Fprintf(e.stderr, "chaintool: fetching %s\n", url) }
	}
	return f
}

// bundleFailed maps a build error to its exit code and hint, printing the
// JSON account first when asked.
func (e *env) bundleFailed(err error, asJSON bool) error {
	var exit *exitError
	switch {
	case errors.Is(err, bundle.ErrNoPath):
		exit = &exitError{code: 1, msg: err.Error(), hint: noPathHint(err)}
	case errors.Is(err, bundle.ErrSeveralLeaves):
		exit = &exitError{code: 1, msg: err.Error(), hint: "give the private key with --key FILE to say which is the leaf"}
	case errors.Is(err, bundle.ErrKeyMismatch):
		exit = &exitError{code: 1, msg: err.Error(), hint: "is it the key of another certificate? compare with chaintool inspect"}
	case errors.Is(err, bundle.ErrNoLeaf):
		exit = &exitError{code: 1, msg: err.Error(), hint: "every input is a CA certificate; add the server's own certificate"}
	default:
		return err
	}
	if asJSON {
		if jerr := e.printJSON(bundle.FailureReport(err)); jerr != nil {
			return jerr
		}
	}
	return exit
}

func noPathHint(err error) string {
	var np *bundle.NoPathError
	if !errors.As(err, &np) {
		return ""
	}
	switch {
	case len(np.Rejected) > 0:
		return "--at TIME judges validity at another time; chaintool verify explains each certificate"
	case np.Loop:
		return "the certificates issue each other; add the root they lead to, or its store with --roots"
	case len(np.Last.IssuingCertificateURL) > 0 && len(np.Fetched) == 0:
		return "drop --offline to fetch the missing issuer from its AIA URL, or add it with --pool FILE"
	}
	return "add the missing issuer's certificate to the inputs or with --pool FILE, or its root with --roots FILE"
}

// writeBundle lays the chain out for the target, writes it, and says what
// stderr must know: a root left out, a root no store holds.
func (e *env) writeBundle(c *cli.Context, r *bundleRun, chain *bundle.Chain) error {
	lopts := bundle.LayoutOptions{IncludeRoot: r.includeRoot, WithKey: r.withKey}
	if isPFX(r.target) {
		pw, err := e.outputPassword(c)
		if err != nil {
			return err
		}
		lopts.Password = pw
	}
	files, err := bundle.Layout(chain, r.target, lopts)
	if errors.Is(err, bundle.ErrKeyRequired) {
		return &exitError{code: 2, msg: fmt.Sprintf("--for %s writes the private key, and none of the keys given matches the leaf", r.target),
			hint: "give the leaf's key with --key FILE"}
	}
	if err != nil {
		return err
	}
	report := chain.Report(r.includeRoot)
	switch {
	case r.toStdout:
		if err := e.writeStdout(files[0].Data, isPFX(r.target)); err != nil {
			return err
		}
	case r.output != "":
		paths, err := writeLayout(files, r, c.Bool("force"))
		if err != nil {
			return err
		}
		report.Files = paths
	}
	report.Warnings = bundleNotes(chain, r.includeRoot, c.String("prefer-root"))
	for _, w := range report.Warnings {
		fmt.Fprintf(e.stderr, "chaintool: %s\n", w)
	}
	if r.json {
		return e.printJSON(report)
	}
	return nil
}

func isPFX(t bundle.Target) bool { return t == bundle.TargetPFX || t == bundle.TargetPFXLegacy }

// writeLayout places the files: in the -o folder for multi-file targets or
// an existing folder, else at -o itself. A folder it creates is removed
// again if writing fails.
func writeLayout(files []bundle.OutputFile, r *bundleRun, force bool) ([]string, error) {
	dir := ""
	if st, err := os.Stat(r.output); err == nil && st.IsDir() {
		dir = r.output
	} else if r.target.MultiFile() {
		if err := os.Mkdir(r.output, 0o755); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return nil, fmt.Errorf("%s: is a file, not a directory: --for %s writes several files into a directory", r.output, r.target)
			}
			return nil, fmt.Errorf("%s: cannot create folder: %w", r.output, unwrapPath(err))
		}
		dir = r.output
		defer func() {
			os.Remove(dir) // only succeeds while empty, that is when writing failed
		}()
	}
	out := make([]outputFile, len(files))
	paths := make([]string, len(files))
	for i, f := range files {
		path := r.output
		if dir != "" {
			path = filepath.Join(dir, f.Name)
		}
		out[i], paths[i] = outputFile{path: path, data: f.Data, secret: f.Secret}, path
	}
	return paths, writeFiles(out, force)
}

// bundleNotes are the stderr lines of a successful build; never nil, as
// the report's "warnings" is always an array.
func bundleNotes(chain *bundle.Chain, includeRoot bool, preferRoot string) []string {
	notes := []string{}
	if chain.LeafIsCA() {
		notes = append(notes, fmt.Sprintf("warning: the certificate matching the key, %s, is a CA certificate, not an end-entity one; chaintool verify reports it as leaf-is-ca",
			bundle.Describe(chain.Leaf())))
	}
	if chain.PreferredRootMissing {
		notes = append(notes, fmt.Sprintf("warning: no valid path ends at root %q; using the best other path", preferRoot))
	}
	root := chain.Root()
	if chain.Anchor == bundle.AnchorInputOnly {
		notes = append(notes, fmt.Sprintf("warning: root %s is in no trust store; the chain ends at it only because it was among the inputs", bundle.Describe(root)))
	}
	if !includeRoot && !chain.SelfSigned() {
		notes = append(notes, fmt.Sprintf("hint: left out the root %s; add --include-root to write it", bundle.Describe(root)))
	}
	return notes
}

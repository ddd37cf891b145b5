package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/grade"
	"github.com/urfave/cli/v2"
)

func gradeCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "grade",
		Usage:     "rate a TLS server by the SSL Labs rating guide, locally, in seconds",
		ArgsUsage: "HOST[:PORT]...",
		Description: `Probes each server with hand-built ClientHellos (SSL 2.0 to TLS 1.3, every
cipher suite that matters, DHE group sizes, ECDHE groups, renegotiation,
compression), replays the hellos of current browsers and clients, checks the
certificate chain and the HSTS header, and rates the server by Qualys SSL
Labs' SSL Server Rating Guide 2009r: three scores, every cap and warning,
and a letter from A+ to F (T: certificate not trusted, M: name mismatch).
PORT defaults to 443. Checks the guide asks for that chaintool does not
make (Heartbleed, ROBOT...) are listed as not tested. Where SSL Labs and
testssl.sh differ (no A+ without HSTS), chaintool follows SSL Labs.

--targets FILE grades every HOST[:PORT] of FILE (one per line, # comments),
--concurrency at a time, and prints one JSON object per line.

EXAMPLES:
   chaintool grade example.com
   chaintool grade --min-grade A 127.0.0.1:8443 --servername www.example.com
   chaintool grade --json example.com:443 | jq -r .grade
   chaintool grade --targets fleet.txt --concurrency 8 --min-grade B

EXIT CODES:
   0 graded (and at least --min-grade); 1 a grade is below --min-grade;
   2 bad usage, or a server cannot be reached or speaks no TLS`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "servername", Usage: "SNI `NAME` to send and the name the certificate must match (default: HOST)"},
			rootsFlag(),
			&cli.StringFlag{Name: "min-grade", Usage: "exit 1 when a grade is below `G` (A+, A, A-, B, C, D, E, F)"},
			&cli.BoolFlag{Name: "json", Usage: "print the result as JSON (schema in docs/grade.md)"},
			&cli.DurationFlag{Name: "timeout", Value: grade.DefaultTimeout, Usage: "give up on one probe after `D`"},
			&cli.PathFlag{Name: "targets", Usage: "grade every HOST[:PORT] listed in `FILE`, one JSON line each", TakesFile: true},
			&cli.IntFlag{Name: "concurrency", Value: 4, Usage: "grade `N` targets at a time"},
			&cli.BoolFlag{Name: "aia", Usage: "download missing intermediates from AIA URLs to judge trust, as SSL Labs does (network)"},
		},
		Action: func(c *cli.Context) error { return e.grade(c) },
	}
}

// gradeRun holds one invocation's settings.
type gradeRun struct {
	opts     grade.Options
	minGrade string
	json     bool
	lines    bool // one JSON object per line
	workers  int
}

func (e *env) grade(c *cli.Context) error {
	run, targets, err := e.gradeSetup(c)
	if err != nil {
		return err
	}
	results := make([]chan gradeOutcome, len(targets))
	for i := range results {
		results[i] = make(chan gradeOutcome, 1)
	}
	sem := make(chan struct{}, run.workers)
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			res, err := grade.Grade(c.Context, t, run.opts)
			results[i] <- gradeOutcome{target: t, res: res, err: err}
		})
	}
	var failed, below []string
	for i := range targets {
		o := <-results[i]
		if err := e.printOutcome(run, o, len(targets)); err != nil {
			return err
		}
		switch {
		case o.err != nil:
			failed = append(failed, o.err.Error())
		case run.minGrade != "" && !grade.AtLeast(o.res.Grade, run.minGrade):
			below = append(below, fmt.Sprintf("%s: grade %s is below %s", o.target, o.res.Grade, run.minGrade))
		}
	}
	wg.Wait()
	return gradeExit(failed, below, len(targets))
}

type gradeOutcome struct {
	target string
	res    *grade.Result
	err    error
}

// gradeSetup reads the flags and the list of targets.
func (e *env) gradeSetup(c *cli.Context) (*gradeRun, []string, error) {
	run := &gradeRun{json: c.Bool("json"), workers: c.Int("concurrency")}
	run.opts.ServerName = c.String("servername")
	run.opts.Timeout = c.Duration("timeout")
	if run.opts.Timeout <= 0 {
		return nil, nil, usageError("--timeout %s: want a positive duration such as 5s", run.opts.Timeout)
	}
	if run.workers < 1 {
		return nil, nil, usageError("--concurrency %d: want 1 or more", run.workers)
	}
	if g := c.String("min-grade"); g != "" {
		if !grade.ValidGrade(g) || g == "T" || g == "M" {
			return nil, nil, usageError("--min-grade %q: want one of A+, A, A-, B, C, D, E, F", g)
		}
		run.minGrade = g
	}
	targets, err := gradeTargets(c.Args().Slice(), c.Path("targets"))
	if err != nil {
		return nil, nil, err
	}
	run.lines = c.Path("targets") != "" || (run.json && len(targets) > 1)
	roots, err := bundle.LoadRoots(c.StringSlice("roots"), e.inputPassword(c))
	if err != nil {
		return nil, nil, err
	}
	run.opts.Roots = roots
	if c.Bool("aia") {
		run.opts.Complete = aiaCompleter(roots, time.Now())
	}
	return run, targets, nil
}

// gradeTargets normalises the arguments and the lines of the targets file
// to host:port.
func gradeTargets(args []string, file string) ([]string, error) {
	raw := append([]string(nil), args...)
	if file != "" {
		lines, err := readTargetsFile(file)
		if err != nil {
			return nil, err
		}
		raw = append(raw, lines...)
	}
	if len(raw) == 0 {
		return nil, usageError("grade: name a HOST[:PORT] to grade, or --targets FILE")
	}
	out := make([]string, 0, len(raw))
	for _, r := range raw {
		t, err := normalizeTarget(r)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// readTargetsFile reads one target per line; blank lines and # comments
// are skipped. The file is bounded to keep memory bounded.
func readTargetsFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, unwrapPath(err))
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(io.LimitReader(f, 4<<20))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: lists no target", path)
	}
	return out, nil
}

// normalizeTarget accepts HOST, HOST:PORT, [IPv6]:PORT, a bare IPv6
// address or an https:// URL, and returns host:port (port 443 by default).
func normalizeTarget(s string) (string, error) {
	if strings.HasPrefix(s, "https://") {
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			return "", usageError("%q: not a HOST[:PORT] or https:// URL", s)
		}
		s = u.Host
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		host, port = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"), "443"
	}
	if host == "" || strings.ContainsAny(host, "/ ") || !validPort(port) {
		return "", usageError("%q: not a HOST[:PORT]", s)
	}
	return net.JoinHostPort(host, port), nil
}

func validPort(p string) bool {
	n := 0
	for _, r := range p {
		if r < '0' || r > '9' {
			return false
		}
		n = n*10 + int(r-'0')
		if n > 65535 {
			return false
		}
	}
	return n > 0
}

// printOutcome writes one target's result (or failure) in the chosen form.
func (e *env) printOutcome(run *gradeRun, o gradeOutcome, total int) error {
	if o.err != nil {
		if run.lines {
			return writeJSONLine(e.stdout, struct {
				Target string `json:"target"`
				Error  string `json:"error"`
			}{o.target, o.err.Error()})
		}
		if total > 1 {
			fmt.Fprintf(e.stderr, "chaintool: error: %s\n", oneLine(o.err.Error()))
		}
		return nil
	}
	switch {
	case run.lines:
		return writeJSONLine(e.stdout, o.res)
	case run.json:
		return e.printJSON(o.res)
	}
	return o.res.WriteText(e.stdout)
}

// writeJSONLine writes v as one line of JSON (the --targets stream), with
// <, > and & as they are, like every other report.
func writeJSONLine(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// gradeExit maps the outcomes to the exit code: 2 when a server could not
// be graded, 1 when a grade is below --min-grade.
func gradeExit(failed, below []string, total int) error {
	if len(failed) > 0 {
		if total == 1 {
			return &exitError{code: 2, msg: failed[0], hint: gradeHint(failed[0])}
		}
		return &exitError{code: 2, msg: fmt.Sprintf("%d of %d targets could not be graded", len(failed), total)}
	}
	if len(below) == 1 {
		return problems(below[0], "")
	}
	if len(below) > 1 {
		return problems(fmt.Sprintf("%d of %d grades are below the minimum", len(below), total), "")
	}
	return nil
}

func gradeHint(msg string) string {
	if strings.Contains(msg, grade.ErrUnreachable.Error()) {
		return "is the server running and the port right? grade HOST:PORT (443 by default)"
	}
	return ""
}

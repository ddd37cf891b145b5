package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
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
			passwordFlag(),
			&cli.StringFlag{Name: "min-grade", Usage: "exit 1 when a grade is below `G` (" + strings.Join(grade.Minimums, ", ") + ")"},
			&cli.BoolFlag{Name: "json", Usage: "print the result as JSON (schema in docs/grade.md)"},
			&cli.DurationFlag{Name: "timeout", Value: grade.DefaultTimeout, Usage: "give up on one probe after `D`"},
			&cli.PathFlag{Name: "targets", Usage: "grade every HOST[:PORT] listed in `FILE`, one JSON line each", TakesFile: true},
			&cli.IntFlag{Name: "concurrency", Value: 4, Usage: fmt.Sprintf("grade `N` targets at a time (at most %d)", maxGradeWorkers)},
			&cli.BoolFlag{Name: "aia", Usage: "download missing intermediates from AIA URLs to judge trust, as SSL Labs does (network)"},
		},
		Action: func(c *cli.Context) error { return e.grade(c) },
	}
}

// Bounds of one grade run: targets graded at a time, the length of one
// line of a --targets file, and the number of targets.
const (
	maxGradeWorkers = 256
	maxTargetLine   = 4 << 10
	maxTargets      = 1 << 20
)

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
	var t gradeTally
	err = gradeAll(c.Context, run, targets, func(o gradeOutcome) error {
		if err := e.printOutcome(run, o, len(targets)); err != nil {
			return err
		}
		t.add(run, o)
		return nil
	})
	if err != nil {
		return err
	}
	return t.exit(len(targets))
}

type gradeOutcome struct {
	target string
	res    *grade.Result
	err    error
}

// gradeAll grades the targets with run.workers goroutines and hands each
// outcome to emit in the order of targets. At most a window of outcomes is
// in flight or waiting for an earlier one, so memory stays bounded however
// many targets there are. An error of emit stops the run.
func gradeAll(ctx context.Context, run *gradeRun, targets []string, emit func(gradeOutcome) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := min(run.workers, len(targets))
	window := 4 * workers
	slots := make([]chan gradeOutcome, window) // outcome i waits in slots[i%window]
	for i := range slots {
		slots[i] = make(chan gradeOutcome, 1)
	}
	free := make(chan struct{}, window) // one token per outcome not yet emitted
	jobs := make(chan int)
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(jobs)
		for i := range targets {
			select {
			case free <- struct{}{}:
			case <-ctx.Done():
				return
			}
			jobs <- i
		}
	})
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				res, err := grade.Grade(ctx, targets[i], run.opts)
				slots[i%window] <- gradeOutcome{target: targets[i], res: res, err: err}
			}
		})
	}
	defer wg.Wait()
	for i := range targets {
		// On an error the workers still finish what they hold: each
		// outcome in flight has its own free slot to go to.
		if err := emit(<-slots[i%window]); err != nil {
			cancel()
			return err
		}
		<-free
	}
	return nil
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
	if run.workers > maxGradeWorkers {
		return nil, nil, usageError("--concurrency %d: want at most %d", run.workers, maxGradeWorkers)
	}
	if g := c.String("min-grade"); g != "" {
		if err := grade.CheckMinimum(g); err != nil {
			return nil, nil, usageError("--min-grade %q: %v", g, err)
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

// gradeTally counts the targets that could not be graded and the grades
// below --min-grade, keeping the first failure and the first few targets
// below the minimum (memory stays bounded however many targets there are).
type gradeTally struct {
	failed, below int
	firstFailed   string
	firstBelow    string
	belowNames    []string // "HOST:PORT (B)", at most maxNamedBelow
	minGrade      string
}

// maxNamedBelow is how many targets below --min-grade the final error
// names.
const maxNamedBelow = 5

func (t *gradeTally) add(run *gradeRun, o gradeOutcome) {
	switch {
	case o.err != nil:
		if t.failed++; t.failed == 1 {
			t.firstFailed = o.err.Error()
		}
	case run.minGrade != "" && !grade.AtLeast(o.res.Grade, run.minGrade):
		t.minGrade = run.minGrade
		if t.below++; t.below == 1 {
			t.firstBelow = fmt.Sprintf("%s: grade %s is below %s", o.target, o.res.Grade, run.minGrade)
		}
		if len(t.belowNames) < maxNamedBelow {
			t.belowNames = append(t.belowNames, fmt.Sprintf("%s (%s)", o.target, o.res.Grade))
		}
	}
}

// exit maps the outcomes to the exit code: 2 when a server could not be
// graded, 1 when a grade is below --min-grade. With several targets the
// message names those below the minimum, also when exit 2 prevails.
func (t *gradeTally) exit(total int) error {
	switch {
	case t.failed > 0 && total == 1:
		return &exitError{code: 2, msg: t.firstFailed, hint: gradeHint(t.firstFailed)}
	case t.failed > 0 && t.below > 0:
		grades := "1 grade is"
		if t.below > 1 {
			grades = fmt.Sprintf("%d grades are", t.below)
		}
		return &exitError{code: 2, msg: fmt.Sprintf("%d of %d targets could not be graded; %s %s", t.failed, total, grades, t.belowList())}
	case t.failed > 0:
		return &exitError{code: 2, msg: fmt.Sprintf("%d of %d targets could not be graded", t.failed, total)}
	case t.below == 1:
		return problems(t.firstBelow, "")
	case t.below > 1:
		return problems(fmt.Sprintf("%d of %d grades are %s", t.below, total, t.belowList()), "")
	}
	return nil
}

// belowList is "below A: HOST:PORT (B), HOST:PORT (T)", with "and N
// more" past maxNamedBelow.
func (t *gradeTally) belowList() string {
	list := strings.Join(t.belowNames, ", ")
	if more := t.below - len(t.belowNames); more > 0 {
		list += fmt.Sprintf(" and %d more", more)
	}
	return "below " + t.minGrade + ": " + list
}

func gradeHint(msg string) string {
	if strings.Contains(msg, grade.ErrUnreachable.Error()) {
		return "is the server running and the port right? grade HOST:PORT (443 by default)"
	}
	return ""
}

package bundle

import (
	"errors"
	"strconv"
	"strings"
)

// ErrNotDir is returned (wrapped) by [Build] and [Builder.Build] when
// [Options.Dir] exists but is not a directory.
var ErrNotDir = errors.New("bundle: not a directory")

// ErrClosed is returned (wrapped) by [Builder.Build] after [Builder.Close].
var ErrClosed = errors.New("bundle: builder closed")

// Message is one positioned build problem.
type Message struct {
	// File is the display path of the file at fault, like [Module.File]
	// ("scripts/api/x.ts"); "" when the problem has no file.
	File string
	// Line is 1-based; 0 when the position is unknown.
	Line int
	// Column is 1-based, in bytes; 0 when unknown.
	Column int
	// Text says what is wrong.
	Text string
}

// String formats m as "file:line:column: text", "file: text" when the line is
// unknown, or just the text when there is no file.
func (m Message) String() string {
	if m.File == "" {
		return m.Text
	}
	var b strings.Builder
	b.WriteString(m.File)
	if m.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(m.Line))
		if m.Column > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(m.Column))
		}
	}
	b.WriteString(": ")
	b.WriteString(m.Text)
	return b.String()
}

// Error is a failed build: every problem found, sorted by file and position.
type Error struct {
	Messages []Message
}

// Error returns every message's String joined by newlines.
func (e *Error) Error() string {
	if len(e.Messages) == 0 {
		return "bundle: build failed"
	}
	lines := make([]string, len(e.Messages))
	for i, m := range e.Messages {
		lines[i] = m.String()
	}
	return strings.Join(lines, "\n")
}

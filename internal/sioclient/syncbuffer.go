package sioclient

import (
	"strings"
	"sync"
)

// syncBuffer collects a child process's stderr for failure messages; it
// may be written and read from different goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

// Write appends p, keeping at most the last 64 KiB.
func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.b.Len() > 64<<10 {
		rest := s.b.String()[32<<10:]
		s.b.Reset()
		s.b.WriteString(rest)
	}
	return s.b.Write(p)
}

// String returns what has been written.
func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

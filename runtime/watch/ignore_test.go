package watch

import "testing"

func TestIgnored(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		want bool
	}{
		// vim
		{".x.js.swp", true},
		{".x.js.swo", true},
		{".x.js.swn", true},
		{".x.js.swa", true},
		{".x.js.swx", true},
		{"x.js~", true},
		{"4913", true},
		{"5036", true}, // 4913+123: vim's next probe name
		{"5159", true},
		{"4914", false},
		{"1234", false},
		{"12", false},
		// emacs
		{".#x.js", true},
		{"#x.js#", true},
		{"#", false},
		{"#x.js", false},
		// JetBrains
		{"x.js___jb_tmp___", true},
		{"x.js___jb_old___", true},
		// macOS
		{".DS_Store", true},
		// real files
		{"x.js", false},
		{"x.ts", false},
		{"index.mjs", false},
		{"package.json", false},
		{"x.js.tmp", false},
		{".env", false},
		{"swp", false},
		{"x.swz", false},
		{"x.sw", false},
		{".gitignore", false},
		{"node_modules", false}, // handled by path, not by name
		{".git", false},
		{"README.md", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Ignored(tc.name); got != tc.want {
				t.Errorf("Ignored(%q) = %v, want %v", tc.name, got, tc.want)
			}
		})
	}
}

package watch

import "strings"

// Ignored reports whether a file name (base name) is editor noise that never
// triggers a rebuild:
//
//   - vim: swap files (*.swp, *.swo and the rest of the *.swa–*.swp series,
//     *.swx), backups (*~), and the write-probe files 4913, 5036, 5159, …
//     (vim tries 4913 and then steps by 123 until a name is free);
//   - emacs: lock files (.#*) and auto-save files (#*#);
//   - JetBrains safe-write temporaries (*___jb_tmp___, *___jb_old___);
//   - macOS Finder's .DS_Store.
//
// Ignored looks at the name only. The folders .git and node_modules are
// handled by path instead: a Watcher does not descend into either under
// [Config.Dir].
func Ignored(name string) bool {
	switch {
	case name == "" || name == ".DS_Store":
		return true
	case strings.HasSuffix(name, "~"):
		return true
	case strings.HasPrefix(name, ".#"):
		return true
	case len(name) >= 2 && name[0] == '#' && name[len(name)-1] == '#':
		return true
	case strings.HasSuffix(name, "___jb_tmp___"), strings.HasSuffix(name, "___jb_old___"):
		return true
	case isVimSwap(name), isVimProbe(name):
		return true
	}
	return false
}

// isVimSwap reports a vim swap file name: vim uses .swp, then .swo, .swn and
// so on down to .swa for further swap files of the same buffer, and .swx
// when it probes whether a directory is writable.
func isVimSwap(name string) bool {
	i := strings.LastIndexByte(name, '.')
	if i < 0 || len(name)-i != 4 || name[i+1:i+3] != "sw" {
		return false
	}
	c := name[i+3]
	return ('a' <= c && c <= 'p') || c == 'x'
}

// isVimProbe reports the files vim creates and deletes at once to check
// whether it may create files in a directory: "4913", or when that exists,
// 4913+123, 4913+2*123, ….
func isVimProbe(name string) bool {
	if len(name) < 4 || len(name) > 9 {
		return false
	}
	n := 0
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
	}
	return n >= 4913 && (n-4913)%123 == 0
}

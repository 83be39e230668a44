// Package bundle turns a scripts folder into compiled goja programs.
//
// It owns the build step of eventhost's JavaScript side: finding the route
// modules under the folder ([Build]'s discovery rules are on [Options]),
// bundling each one with esbuild into a CommonJS script (relative imports and
// npm packages from node_modules are inlined; [Options.External] names stay
// require calls for native modules), and compiling the result once with
// goja.Compile. Evaluating the programs belongs to the engine: a [Module]'s
// Program evaluates to a function(exports, require, module) that runs the
// module body, the same shape as a Node CommonJS wrapper.
//
// Each program carries its bundle's source map, whose sources resolve to the
// display paths the user gave ([Module.File]), so goja stack traces and build
// errors name the original file, line and 1-based column, e.g.
// "scripts/api/hello.ts:4:11".
//
// A failed build returns an [*Error] listing every problem at once, each a
// positioned [Message]; other failures (a missing folder, a canceled context)
// are plain wrapped errors.
//
// For hot reload, a [Builder] builds the same folder again and again, keeping
// an esbuild incremental context and returning the previous [*Module], Program
// and all, for every module whose bundled output did not change.
//
// Goroutine safety: [Build] keeps no state between calls and is safe to call
// from several goroutines at once. A [Builder]'s methods are safe to call from
// several goroutines; its builds run one at a time. The returned [Result] and
// its Modules are immutable, even when a later Builder result shares them; a
// Program is shared by every VM and may run in many goja runtimes at the same
// time.
package bundle

//go:build !race

package pipeline

// raceEnabled is true in a build with the race detector.
const raceEnabled = false

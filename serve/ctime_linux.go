package serve

import (
	"os"
	"syscall"
	"time"
)

// changeTime is st's inode change time (ctime).
func changeTime(st os.FileInfo) time.Time {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return time.Unix(s.Ctim.Unix())
	}
	return time.Time{}
}

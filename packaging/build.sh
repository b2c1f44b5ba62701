#!/usr/bin/env bash
# Build the Linux one-folder bundle and a .tar.gz, then prove the frozen binary works:
# `kpidesk --selftest` offscreen (temporary database, migration, import, metrics, PDF export).
# Not part of the default test run: `bash packaging/build.sh` (CI or a release runs it).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ -x .venv/bin/python ]; then PY=.venv/bin/python; fi
"$PY" -m pip install -q "pyinstaller>=6.5" -e .
rm -rf build/pyinstaller dist/kpidesk
start=$(date +%s)
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --workpath build/pyinstaller --distpath dist packaging/kpidesk.spec
echo "build time: $(( $(date +%s) - start )) s"
cp packaging/linux/kpidesk.desktop packaging/linux/org.kpidesk.KPIDesk.metainfo.xml resources/icons/kpidesk.png dist/kpidesk/
tar -C dist -czf dist/kpidesk-linux-x86_64.tar.gz kpidesk
echo "bundle: $(du -sh dist/kpidesk | cut -f1), archive: $(du -h dist/kpidesk-linux-x86_64.tar.gz | cut -f1)"
export QT_QPA_PLATFORM=offscreen
t0=$(date +%s.%N)
dist/kpidesk/kpidesk --version
t1=$(date +%s.%N)
echo "start-up (--version): $(python3 -c "print(round($t1 - $t0, 2))") s"
dist/kpidesk/kpidesk --selftest
echo "selftest: ok"

# test_install.py: `make install` (cmake --install, staged under a DESTDIR) puts
# the package where Debian's python3 looks for the prefix, and the installed
# binding, imported by Debian's python3 from there, scores with the installed
# share/dealscore, as the installed program does.
import glob
import json
import os
import subprocess
import sys

from conftest import CLI, PIPELINE, cli

BUILD = os.path.dirname(CLI)


def cache(key):
    with open(os.path.join(BUILD, "CMakeCache.txt")) as f:
        for line in f:
            if line.startswith(key + ":"):
                return line.split("=", 1)[1].strip()
    return None


def test_installed_package_scores_with_the_installed_data(tmp_path):
    dest = tmp_path / "dest"
    env = dict(os.environ, DESTDIR=str(dest))
    env.pop("DEALSCORE_HOME", None)
    p = subprocess.run(["cmake", "--install", BUILD], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, check=False)
    assert p.returncode == 0, p.stdout[-2000:]
    prefix = cache("CMAKE_INSTALL_PREFIX")
    root = str(dest) + prefix
    found = glob.glob(root + "/lib/python3*/dist-packages/dealscore/_native*.so")
    assert len(found) == 1, found
    site = os.path.dirname(os.path.dirname(found[0]))
    # Debian's python3 reads that folder for this prefix (without the DESTDIR)
    if prefix in ("/usr/local", "/usr"):
        probe = subprocess.run(["/usr/bin/python3", "-c", "import sys; print('\\n'.join(sys.path))"],
                               stdout=subprocess.PIPE, text=True, check=True).stdout.split()
        assert site[len(str(dest)):] in probe
    # the staged share/dealscore is the one read: rename its model
    model = root + "/share/dealscore/models/default.json"
    data = json.load(open(model))
    data["name"] = "installed"
    json.dump(data, open(model, "w"))
    code = ("import dealscore, sys\n"
            "assert dealscore.__file__.startswith(sys.argv[1]), dealscore.__file__\n"
            "e = dealscore.Engine()\n"
            "sys.stdout.write(''.join(r.json + '\\n' for r in "
            "e.score(open(sys.argv[2]), source=sys.argv[2])))\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DEALSCORE_HOME")}
    env["PYTHONPATH"] = site
    p = subprocess.run(["/usr/bin/python3", "-c", code, site, PIPELINE], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    assert p.returncode == 0, p.stderr.decode()[-2000:]
    rc, expected = cli("score", "--quiet", PIPELINE)
    assert p.stdout == expected.replace(b'"model":"default@', b'"model":"installed@')
    assert p.stdout.count(b'"model":"installed@1"') == 12

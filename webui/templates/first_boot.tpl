% # The first-boot wizard (webui/firstboot.py): only while the box has no user. Every value is escaped by {{ }}.
% rebase('base.tpl', title=_('First start'), nav='', refresh=None)
<h1>{{_('Set up this box')}}</h1>
% if error:
<p class="banner warn" id="first-boot-error">{{error}}</p>
% end
% if step == 'code':
<p>{{_('The console of the box (its screen or serial port) shows a one-time setup code. There is no default password: whoever types this code creates the administrator.')}}</p>
<form method="post" action="/first-boot" class="form">
  <p><label>{{_('Setup code')}}<br><input name="code" id="code" autocomplete="off" autocapitalize="characters" spellcheck="false" placeholder="ABCD-EFGH-JKMN" required autofocus></label></p>
  <p><button type="submit" id="code-next">{{_('Next')}}</button></p>
</form>
<p><a href="/label" id="label-link">{{_("The box's label: its addresses, MAC and serial number in large type, to print or photograph")}}</a></p>
% elif step == 'details':
<details class="restore-choice" id="restore-choice"{{!' open' if form.get('restore') else ''}}>
  <summary>{{_('Restore from a backup instead of a new setup')}}</summary>
  <p>{{_("A backup of another box (Backup page, or callbox backup create) brings its administrator and users, settings, directory and tariffs, and its calls if it holds them. The box starts again on it by itself; log in then with an account of the backup.")}}</p>
  <form method="post" action="/first-boot/restore" class="form" enctype="multipart/form-data" id="restore-form">
    <input type="hidden" name="code" value="{{code}}">
    <p><label>{{_('Backup file (.cbx)')}}<br><input type="file" name="backup" id="restore-file" accept=".cbx" required></label></p>
    <p><label>{{_("The backup's passphrase")}}<br><input name="restore_passphrase" id="restore-passphrase" type="password" autocomplete="off" required></label></p>
    <p><button type="submit" id="restore">{{_('Restore this backup')}}</button></p>
  </form>
% include('backup_usb_restore.tpl', action='/first-boot/restore', hidden={'code': code}, sticks=sticks)
</details>
<form method="post" action="/first-boot/finish" class="form" enctype="multipart/form-data" id="first-boot-form">
  <input type="hidden" name="code" value="{{code}}">
  <fieldset>
    <legend>{{_('The administrator')}}</legend>
    <p>{{_('This account can see every call of every tenant and manage the other users.')}}</p>
    <p><label>{{_('Username')}}<br><input name="username" id="username" value="{{form.get('username', '')}}" autocomplete="username" required></label></p>
    <p><label>{{_('Password (at least 10 characters)')}}<br><input name="password" id="password" type="password" autocomplete="new-password" required></label></p>
    <p><label>{{_('Password again')}}<br><input name="password2" id="password2" type="password" autocomplete="new-password" required></label></p>
  </fieldset>
  <fieldset id="network-step">
    <legend>{{_('Network')}}</legend>
    <p>{{_('Addresses of the box now:')}} <span id="current-addresses">{{', '.join(a['address'] + ' (' + a['interface'] + ')' for a in addresses) or _('none')}}</span></p>
    <label class="check"><input type="radio" name="network" value="dhcp" id="network-dhcp"{{!' checked' if form.get('network', 'dhcp') != 'static' else ''}}> {{_('Automatic (DHCP)')}}</label><br>
    <label class="check"><input type="radio" name="network" value="static" id="network-static"{{!' checked' if form.get('network') == 'static' else ''}}> {{_('A fixed address')}}</label>
    <p><label>{{_('Address with its prefix (fixed address only)')}}<br><input name="address" id="address" value="{{form.get('address', '')}}" placeholder="192.0.2.10/24" spellcheck="false"></label></p>
    <p><label>{{_('Gateway (fixed address only)')}}<br><input name="gateway" id="gateway" value="{{form.get('gateway', '')}}" placeholder="192.0.2.1" spellcheck="false"></label></p>
    <p><label>{{_('DNS servers, separated by spaces')}}<br><input name="dns" id="dns" value="{{form.get('dns', '')}}" placeholder="192.0.2.1 9.9.9.9" spellcheck="false"></label></p>
% if not on_image:
    <p class="muted">{{_("This is not the appliance image: the network settings are only written to the data directory, the machine's own network is not changed.")}}</p>
% end
  </fieldset>
  <fieldset>
    <legend>{{_('Clock and time zone')}}</legend>
    <p><label>{{_('Time zone of the box and the PBX')}}<br><input name="timezone" id="timezone" list="zones" value="{{form.get('timezone', '')}}" placeholder="Europe/Istanbul" required></label></p>
    <datalist id="zones">
% for z in zones:
      <option value="{{z}}">
% end
    </datalist>
    <p><label>{{_('NTP servers, separated by spaces (empty: the defaults)')}}<br><input name="ntp" id="ntp" value="{{form.get('ntp', '')}}" placeholder="0.pool.ntp.org 1.pool.ntp.org"></label></p>
  </fieldset>
  <fieldset>
    <legend>{{_('Company and branch')}}</legend>
    <p><label>{{_('Company name')}}<br><input name="company" id="company" value="{{form.get('company', '')}}" required></label></p>
    <p><label>{{_('Branch name')}}<br><input name="branch" id="branch" value="{{form.get('branch', '')}}" required></label></p>
  </fieldset>
  <fieldset>
    <legend>{{_("The box's web certificate")}}</legend>
    <label class="check"><input type="radio" name="tls_mode" value="generated" id="tls-generated"{{!' checked' if form.get('tls_mode', 'generated') != 'upload' else ''}}> {{_('Keep the certificate the box made itself')}}</label><br>
    <label class="check"><input type="radio" name="tls_mode" value="upload" id="tls-upload"{{!' checked' if form.get('tls_mode') == 'upload' else ''}}> {{_("Upload a certificate of our own CA (PEM) and its key")}}</label>
    <p><label>{{_('Certificate (PEM)')}}<br><input type="file" name="cert" id="cert" accept=".pem,.crt,.cer"></label></p>
    <p><label>{{_('Private key (PEM, not encrypted)')}}<br><input type="file" name="key" id="key" accept=".pem,.key"></label></p>
  </fieldset>
  <p><button type="submit" id="finish">{{_('Finish')}}</button></p>
</form>
% elif step == 'restored':
<p class="banner ok" id="first-boot-restored">{{ngettext('The backup is restored ({n} file). The box starts again on it in a few seconds: log in then with an account of the backup.', 'The backup is restored ({n} files). The box starts again on it in a few seconds: log in then with an account of the backup.', restored).format(n=fmt_number(restored))}}</p>
<p><a href="/login" id="to-login">{{_('Log in')}}</a></p>
% else:
<p class="banner ok" id="first-boot-done">{{_('The box is set up and you are logged in as its administrator. This page is not offered again.')}}</p>
% if fingerprint:
<p>{{_('The SHA-256 fingerprint of the certificate the box serves; compare it with the one the browser shows:')}}</p>
<pre class="fingerprint" id="fingerprint">{{fingerprint}}</pre>
% end
% if network_text:
<p>{{_('The network settings, written to {file}:').format(file=network_file)}}</p>
<pre id="network-file">{{network_text}}</pre>
% if on_image:
<p class="banner warn" id="network-note">{{_('The box applies them in a moment. With a new address, open this page again at that address.')}}</p>
% else:
<p class="muted" id="network-note">{{_("This is not the appliance image: the file stays in the data directory and the machine's network is not changed. On the image, the box applies it itself (systemd-networkd).")}}</p>
% end
% end
% if form.get('tls_mode') == 'upload':
<p class="banner warn">{{_('The web restarts in a moment to serve the uploaded certificate: reload this page then.')}}</p>
% end
<p><a href="/setup/pbx" id="to-pbx-wizard">{{_('Next: connect the PBX (PBX wizard)')}}</a></p>
% end

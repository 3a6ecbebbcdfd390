% # The Backup page (webui/admin/backup.py): the passphrase is never stored. Restore: an uploaded backup, or one on a USB stick, replaces the box's data.
% rebase('base.tpl', title=_('Backup'), nav='/setup', refresh=None)
<h1>{{_('Backup')}}</h1>
% if error:
<p class="banner warn" id="backup-error">{{error}}</p>
% end
% if done:
<p class="banner ok" id="backup-done">{{done}}</p>
% end
% if restored:
<p class="banner ok" id="restored">{{ngettext('The backup is restored ({n} file). The box starts again on it in a few seconds: log in then with an account of the backup.', 'The backup is restored ({n} files). The box starts again on it in a few seconds: log in then with an account of the backup.', len(restored.get('files', []))).format(n=fmt_number(len(restored.get('files', []))))}} <a href="/login">{{_('Log in')}}</a></p>
% end
% where = form.get('destination', 'download')
<p>{{_('Make an encrypted backup of this box: its configuration, users, directory and tariffs, and if you choose, its calls and raw journal. Keep the passphrase: without it the backup cannot be read.')}}</p>
<form method="post" action="/backup" class="form" id="backup-form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <p><label>{{_('Passphrase (at least {n} characters)').format(n=min_passphrase)}}<br><input name="passphrase" id="passphrase" type="password" autocomplete="new-password" required minlength="{{min_passphrase}}"></label></p>
  <p><label>{{_('Passphrase again')}}<br><input name="passphrase2" id="passphrase2" type="password" autocomplete="new-password" required></label></p>
  <p><label class="check"><input type="checkbox" name="calls" value="1" id="calls"{{!' checked' if form.get('calls') else ''}}> {{_('Include the calls')}}</label></p>
  <p><label class="check"><input type="checkbox" name="journal" value="1" id="journal"{{!' checked' if form.get('journal') else ''}}> {{_('Include the raw journal (the calls can be derived from it again)')}}</label></p>
  <fieldset id="destination">
    <legend>{{_('Where the backup goes')}}</legend>
    <p><label class="check"><input type="radio" name="destination" value="download" id="to-download"{{!' checked' if where == 'download' else ''}}> {{_('Download it to this computer')}}</label></p>
    <p><label class="check"><input type="radio" name="destination" value="target" id="to-target"{{!' checked' if where == 'target' else ''}}{{!'' if targets else ' disabled'}}> {{_('Send it to a file server')}}</label>
% if targets:
      <select name="target" id="target" aria-label="{{_('File server')}}">
% for t in targets:
        <option value="{{t}}"{{!' selected' if form.get('target') == t else ''}}>{{t}}</option>
% end
      </select>
% else:
      <span class="muted" id="no-target">{{_('None configured: add one to [upload] targets on the Settings page.')}} <a href="/settings">{{_('Settings')}}</a></span>
% end
    </p>
    <p><label class="check"><input type="radio" name="destination" value="usb" id="to-usb"{{!' checked' if where == 'usb' else ''}}{{!'' if sticks else ' disabled'}}> {{_('Write it to a USB stick')}}</label>
% if sticks:
      <select name="usb" id="usb" aria-label="{{_('USB stick')}}">
% for s in sticks:
        <option value="{{s['path']}}"{{!' selected' if form.get('usb') == s['path'] else ''}}>{{s['name']}}{{(' — ' + _('{size} free').format(size='%.1f GB' % (s['free'] / 1e9))) if s['free'] is not None else ''}}</option>
% end
      </select>
% else:
      <span class="muted" id="no-usb">{{_('No USB stick found: plug one in, wait a few seconds and reload this page.')}}</span>
% end
    </p>
  </fieldset>
  <p><button type="submit" id="make-backup">{{_('Make the backup')}}</button></p>
</form>
<h2>{{_('Restore a backup')}}</h2>
<p>{{_("Restoring replaces this box's configuration, users, directory and tariffs (and its calls and journal when the backup holds them) with the backup's. The box starts again on it by itself; everyone logs in again with the backup's accounts.")}}</p>
<form method="post" action="/backup/restore" class="form" id="restore-form" enctype="multipart/form-data">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <input type="hidden" name="source" value="upload">
  <p><label>{{_('Backup file (.cbx)')}}<br><input type="file" name="backup" id="restore-file" accept=".cbx" required></label></p>
  <p><label>{{_("The backup's passphrase")}}<br><input name="restore_passphrase" id="restore-passphrase" type="password" autocomplete="off" required></label></p>
  <p><button type="submit" id="restore">{{_('Restore this backup')}}</button></p>
</form>
% include('backup_usb_restore.tpl', action='/backup/restore', hidden={'csrf_token': csrf}, sticks=sticks)
<p class="muted">{{_('On the console:')}} <code>callbox backup restore --data /var/lib/callbox FILE</code></p>

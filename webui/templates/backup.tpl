% # The Backup page (webui/admin/backup.py): the passphrase is never stored. Restore: an uploaded backup replaces the box's data.
% rebase('base.tpl', title=_('Backup'), nav='/setup', refresh=None)
<h1>{{_('Backup')}}</h1>
% if error:
<p class="banner warn" id="backup-error">{{error}}</p>
% end
% if restored:
<p class="banner ok" id="restored">{{_('The backup is restored ({n} files). The box starts again on it in a few seconds: log in then with an account of the backup.').format(n=len(restored.get('files', [])))}} <a href="/login">{{_('Log in')}}</a></p>
% end
<p>{{_('Download an encrypted backup of this box: its configuration, users, directory and tariffs, and if you choose, its calls and raw journal. Keep the passphrase: without it the backup cannot be read.')}}</p>
<form method="post" action="/backup" class="form" id="backup-form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <p><label>{{_('Passphrase (at least {n} characters)').format(n=min_passphrase)}}<br><input name="passphrase" id="passphrase" type="password" autocomplete="new-password" required minlength="{{min_passphrase}}"></label></p>
  <p><label>{{_('Passphrase again')}}<br><input name="passphrase2" id="passphrase2" type="password" autocomplete="new-password" required></label></p>
  <p><label class="check"><input type="checkbox" name="calls" value="1" id="calls"> {{_('Include the calls')}}</label></p>
  <p><label class="check"><input type="checkbox" name="journal" value="1" id="journal"> {{_('Include the raw journal (the calls can be derived from it again)')}}</label></p>
  <p><button type="submit" id="download">{{_('Download the backup')}}</button></p>
</form>
<h2>{{_('Restore a backup')}}</h2>
<p>{{_("Restoring replaces this box's configuration, users, directory and tariffs (and its calls and journal when the backup holds them) with the backup's. The box starts again on it by itself; everyone logs in again with the backup's accounts.")}}</p>
<form method="post" action="/backup/restore" class="form" id="restore-form" enctype="multipart/form-data">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <p><label>{{_('Backup file (.cbx)')}}<br><input type="file" name="backup" id="restore-file" accept=".cbx" required></label></p>
  <p><label>{{_("The backup's passphrase")}}<br><input name="restore_passphrase" id="restore-passphrase" type="password" autocomplete="off" required></label></p>
  <p><button type="submit" id="restore">{{_('Restore this backup')}}</button></p>
</form>
<p class="muted">{{_('On the console:')}} <code>callbox backup restore --data /var/lib/callbox FILE</code></p>

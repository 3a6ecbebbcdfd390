% # The one-time first-administrator link: only while no user exists.
% rebase('base.tpl', title='First administrator', refresh=None)
<h1>Create the first administrator</h1>
% if not valid:
<p class="banner warn">This setup link is not valid: it was used, it expired, or an administrator exists already.
  Restart the web UI for a new link while no user exists, or run <code>callbox user add --admin NAME</code>.</p>
% else:
% if error:
<p class="banner warn">{{error}}</p>
% end
<p>This account can see every call of every tenant and manage the other users. The link works once.</p>
<form method="post" class="form">
  <p><label>Username<br><input name="username" value="{{username}}" autocomplete="username" required autofocus></label></p>
  <p><label>Password (at least 10 characters)<br><input name="password" type="password" autocomplete="new-password" required></label></p>
  <p><label>Password again<br><input name="password2" type="password" autocomplete="new-password" required></label></p>
  <p><button type="submit">Create administrator</button></p>
</form>
% end

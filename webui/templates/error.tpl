% # An error page (webui/errors.py): the message is escaped; it may hold what the user typed.
% rebase('base.tpl', title=title, nav='')
<h1>{{title}}</h1>
<p class="banner warn">{{message}}</p>
<p><a href="/">{{_('Home')}}</a></p>

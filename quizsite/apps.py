from django.contrib.admin.apps import AdminConfig


class QuizsiteAdminConfig(AdminConfig):
    default_site = "quizsite.admin_site.QuizsiteAdminSite"

app_name = "devtools"

urlpatterns: list = []

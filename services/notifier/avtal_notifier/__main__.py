from avtal_notifier.main import main

main()
